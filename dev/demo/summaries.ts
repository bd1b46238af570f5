/**
 * The job summary of every way a deployment can end, made by the action's own engine and
 * report code in virtual time: each simulator scenario, each recorded trace of the real
 * server, and the outcomes no scenario gives (stopped waiting, interrupted, refused,
 * unknown creation, not serving, bad input). For the preview (`npm run preview`) and for
 * the test that every summary renders cleanly.
 */
import { ApiError } from '../../src/engine/api-error.js'
import { deploy, type DeployOutcome } from '../../src/engine/deploy.js'
import type { RefsReader } from '../../src/engine/git-http.js'
import type { Probe } from '../../src/engine/serving-check.js'
import type { ToolforgeApi } from '../../src/engine/toolforge-client.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { createNarrator } from '../../src/report/narrator.js'
import { badInputVerdict, INPUT_VOICE } from '../../src/report/outcome.js'
import { summaryModel, type SummaryModel } from '../../src/report/summary.js'
import { renderText } from '../../src/report/text.js'
import type { Settings } from '../../src/settings/settings.js'
import { settingsFixture } from '../fixtures/settings.js'
import { SimulatedApi } from '../simulator/api.js'
import {
  SCENARIO_NAMES,
  webWorkerCron,
  workerBuildFails,
  type ScenarioName,
  type Timeline
} from '../simulator/scenarios.js'
import { inProcessApi } from '../support/in-process-api.js'
import { loadTraces, traceApi } from '../bench/traces.js'
import { VirtualClock } from '../support/virtual-clock.js'

export interface Example {
  name: string
  model: SummaryModel
  markdown: string
  text: string
  /** What the run would print before the summary. */
  log: string[]
}

const TOKEN = 'example-token'

const base: Settings = settingsFixture({
  token: TOKEN,
  description:
    'Deployed by GitHub Actions from toolforge-repos/mytool@4e1c0de, ref main, by octocat, run https://github.com/toolforge-repos/mytool/actions/runs/4242',
  check: 'auto',
  runUrl: 'https://github.com/toolforge-repos/mytool/actions/runs/4242'
})

/** The tool's repository, as the description names its commit: the previews never ask a real one. */
const COMMIT = '4e1c0de8a2f94b1c7d3e5a6b8c9d0e1f2a3b4c5d'
const repository: RefsReader = () =>
  Promise.resolve({ refs: [{ name: 'refs/heads/main', sha: COMMIT }], truncated: false })

/** The tool's web service answers at once, as most do after a deployment. */
const serves: Probe = () => Promise.resolve({ status: 200 })

interface Run {
  settings?: Partial<Settings>
  api: (clock: VirtualClock) => ToolforgeApi
  probe?: Probe
  /** Virtual time at which the run is interrupted (SIGINT). */
  interruptAt?: number
}

async function run(name: string, plan: Run): Promise<Example> {
  const clock = new VirtualClock(Date.parse('2026-11-28T10:00:00Z'))
  const settings = { ...base, ...plan.settings }
  const log: string[] = []
  const narrator = createNarrator(
    settings,
    {
      line: (text) => log.push(text),
      debug: () => {},
      warning: (text) => log.push(`warning: ${text}`),
      notice: (text) => log.push(`notice: ${text}`)
    },
    clock.now
  )
  const cancel = new AbortController()
  const sleep = clock.sleep
  if (plan.interruptAt !== undefined) {
    const at = clock.now() + plan.interruptAt
    clock.sleep = async (ms, signal) => {
      if (clock.now() + ms >= at) {
        await sleep(at - clock.now(), signal)
        cancel.abort()
        return
      }
      await sleep(ms, signal)
    }
  }
  const outcome: DeployOutcome = await deploy(settings, {
    api: plan.api(clock),
    clock,
    signal: cancel.signal,
    observer: narrator,
    probe: plan.probe ?? serves,
    refs: repository,
    random: () => 0.5
  })
  const model = summaryModel(outcome, settings, INPUT_VOICE, narrator.timeline())
  return { name, model, markdown: renderMarkdown(model), text: renderText(model), log }
}

const simulated = (scenario: ScenarioName | Timeline, setup?: (sim: SimulatedApi) => void) => (clock: VirtualClock) => {
  const sim = new SimulatedApi({ token: TOKEN, scenario, now: clock.now })
  setup?.(sim)
  return inProcessApi(sim, 'mytool', TOKEN)
}

/** Builds as long as production's usually are: minutes, not the scenarios' seconds. */
const TYPICAL = webWorkerCron(6_000, 161_000, 182_000)
const TYPICAL_BUILD_FAILURE = workerBuildFails(6_000, 131_000, 108_000)

/** Every example summary, in a stable order. */
export async function exampleSummaries(): Promise<Example[]> {
  const examples: Example[] = []
  examples.push(await run('a typical deployment', { api: simulated(TYPICAL) }))
  examples.push(await run('a typical build failure', { api: simulated(TYPICAL_BUILD_FAILURE) }))
  for (const scenario of SCENARIO_NAMES) {
    examples.push(await run(`scenario ${scenario}`, { api: simulated(scenario) }))
  }
  for (const trace of loadTraces().filter((t) => t.latencyMs === 0))
    examples.push(
      await run(`real server (${trace.standIns} stand-ins): ${trace.name}`, { api: (clock) => traceApi(trace, clock) })
    )
  examples.push(await run('stopped waiting', { api: simulated('slow-builds'), settings: { timeoutMs: 8_000 } }))
  examples.push(await run('interrupted', { api: simulated('slow-builds'), interruptAt: 9_000 }))
  examples.push(
    await run('refused token', {
      api: simulated('single', (sim) => sim.setToolToken('mytool', { kind: 'expired', token: TOKEN }))
    })
  )
  examples.push(
    await run('unknown creation', {
      api: () => ({
        createDeployment: () =>
          Promise.reject(
            new ApiError(
              'http',
              'Toolforge answered HTTP 502 with a non-JSON body (text/html), probably from the gateway,',
              { status: 502, reachedServer: true }
            )
          ),
        getDeployment: () => Promise.reject(new Error('not asked')),
        dispose: () => {}
      })
    })
  )
  let starting = 0
  examples.push(
    await run('serving after a few tries', {
      api: simulated('single'),
      probe: () => Promise.resolve({ status: ++starting < 3 ? 503 : 200 })
    })
  )
  let probes = 0
  examples.push(
    await run('not serving', {
      api: simulated('single'),
      settings: { checkTimeoutMs: 60_000 },
      probe: () => Promise.resolve(++probes % 4 === 0 ? undefined : { status: 503 })
    })
  )
  examples.push(
    await run('another commit than expect-commit', {
      api: simulated('single'),
      settings: { expectCommit: { sha: '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432', source: 'input' } }
    })
  )
  examples.push(
    await run('queued behind another deployment', { api: simulated('single', (sim) => sim.occupy('mytool', 25_000)) })
  )
  const badInput = {
    verdict: badInputVerdict(
      `Input 'timeout' is "45 minutes"; accepted: a number of seconds or a duration like 45s, 30m, 1h30m, from 1s to 6h.`
    ),
    facts: [],
    components: []
  }
  examples.push({
    name: 'bad input',
    model: badInput,
    markdown: renderMarkdown(badInput),
    text: renderText(badInput),
    log: []
  })
  return examples
}
