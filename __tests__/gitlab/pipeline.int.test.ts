import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from '@jest/globals'
import { parse } from 'yaml'
import { ROOT } from '../../dev/support/project-root.js'
import { INPUTS, optionVariable } from '../../src/settings/input-table.js'
import { expandedPipeline, gitlabProject, runPipeline, type GitlabProject } from '../helpers/gitlab-ci.js'
import { expectNoToken } from '../helpers/leaks.js'
import { TOKEN, withSimulator } from '../helpers/simulator.js'
import { startWebServer } from '../helpers/web-server.js'
import { yamlBlocks } from '../helpers/docs.js'

const COMPONENT = 'templates/toolforge-deploy/template.yml'
const TEMPLATE = 'gitlab/toolforge-deploy.gitlab-ci.yml'
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')
/** The package spec each job writes literally (the component's comes from its version input). */
const PACKAGE_SPEC = /toolforge-deploy@(?:\$\[\[ inputs\.version \]\]|\d+\.\d+\.\d+)(?= toolforge-deploy --dotenv)/

let tarball: string
let npmCache: string

beforeAll(() => {
  const packs = mkdtempSync(join(tmpdir(), 'pack-'))
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', packs], { cwd: ROOT, encoding: 'utf8' })
  ) as Array<{ filename: string }>
  tarball = join(packs, packed[0]!.filename)
  npmCache = mkdtempSync(join(tmpdir(), 'npm-cache-'))
}, 60_000)

/** A job file as published, but installing the package from this checkout, not the registry. */
const fromCheckout = (path: string) => read(path).replace(PACKAGE_SPEC, `file:${tarball}`)

/** A project whose pipeline includes the component (as `include: component:` would, from this checkout), and a job after it. */
function componentProject(
  name: string,
  inputs: Record<string, unknown> = {},
  branches: { branch?: string; defaultBranch?: string } = {}
): GitlabProject {
  const pipeline = {
    include: [{ local: COMPONENT, inputs }],
    'after-deploy': {
      stage: '.post',
      when: 'always',
      variables: { GIT_STRATEGY: 'none' },
      script: [
        'echo "deployment $DEPLOY_ID ended $DEPLOY_STATUS ($DEPLOY_OUTCOME) at $DEPLOY_URL, commit $DEPLOY_COMMIT"'
      ]
    }
  }
  return gitlabProject(
    name,
    { '.gitlab-ci.yml': JSON.stringify(pipeline), [COMPONENT]: fromCheckout(COMPONENT) },
    branches
  )
}

/** What a project sets in Settings > CI/CD > Variables. */
const projectVariables = (url: string, extra: Record<string, string> = {}) => ({
  TOOLFORGE_DEPLOY_TOKEN: TOKEN,
  TOOLFORGE_DEPLOY_API_URL: url,
  ...extra
})

const runner = (toolUrl: string) => ({
  npm_config_cache: npmCache,
  npm_config_update_notifier: 'false',
  TOOLFORGE_TOOL_URL: toolUrl
})

describe('the GitLab CI/CD component', () => {
  test('is valid GitLab CI and, with its defaults, is the plain template plus the options at their defaults', async () => {
    const component = await expandedPipeline(
      gitlabProject('mytool', {
        '.gitlab-ci.yml': JSON.stringify({ include: [{ local: COMPONENT }] }),
        [COMPONENT]: read(COMPONENT)
      })
    )
    expect([component.code, component.output]).toEqual([0, expect.stringContaining('json schema validated')])
    const template = await expandedPipeline(
      gitlabProject('mytool', {
        '.gitlab-ci.yml': JSON.stringify({ include: [{ local: TEMPLATE }] }),
        [TEMPLATE]: read(TEMPLATE)
      })
    )
    expect(template.code).toBe(0)
    const fromComponent = component.jobs['toolforge-deploy'] as { variables: Record<string, string>; script: string[] }
    const fromTemplate = template.jobs['toolforge-deploy'] as { variables: Record<string, string>; script: string[] }
    // Every input of the table but the token, at its default: text as a variable, booleans exported (they cannot be variables).
    const options = INPUTS.filter((input) => input.kind !== 'secret')
    expect(fromComponent.variables).toEqual({
      ...fromTemplate.variables,
      TOOLFORGE_DEPLOY_FROM_COMPONENT: 'true',
      ...Object.fromEntries(
        options
          .filter((input) => input.kind !== 'boolean')
          .map((input) => [optionVariable(input.name), input.name === 'tool' ? '$CI_PROJECT_NAME' : input.default])
      )
    })
    const booleans = options
      .filter((input) => input.kind === 'boolean')
      .map((input) => `${optionVariable(input.name)}=${input.default}`)
    expect(booleans).toHaveLength(4)
    expect(fromComponent.script).toEqual([`export ${booleans.join(' ')}`, ...fromTemplate.script])
    // Nothing is cloned, and nothing is set for the other jobs of the pipeline.
    expect(fromComponent.variables.GIT_STRATEGY).toBe('none')
    expect([component.jobs.variables, template.jobs.variables]).toEqual([undefined, undefined])
    // Both are named after the tool; the template also takes the tool from TOOL_NAME, as Toolforge's snippet has it.
    const perTool = (job: Record<string, unknown>) => [job.resource_group, (job.environment as { name: string }).name]
    expect(perTool(fromComponent)).toEqual(['toolforge-deploy/$CI_PROJECT_NAME', 'toolforge/$CI_PROJECT_NAME'])
    expect(perTool(fromTemplate)).toEqual([
      'toolforge-deploy/$TOOLFORGE_DEPLOY_TOOL',
      'toolforge/$TOOLFORGE_DEPLOY_TOOL'
    ])
    const rest = (job: Record<string, unknown>) => {
      const { script: _s, variables: _v, resource_group: _r, environment, rules, ...others } = job
      return {
        ...others,
        url: (environment as { url: string }).url,
        rules: (rules as unknown[]).filter((r) => !JSON.stringify(r).includes('TOOL_NAME'))
      }
    }
    expect(rest(fromComponent)).toEqual(rest(fromTemplate))
  }, 60_000)

  test('installs the exact version it was released with', () => {
    const version = (JSON.parse(read('package.json')) as { version: string }).version
    const header = parse(read(COMPONENT).split('\n---\n')[0]!) as { spec: { inputs: { version: { default: string } } } }
    expect(header.spec.inputs.version.default).toBe(version)
    expect(read(TEMPLATE)).toContain(
      `- npx --yes --package toolforge-deploy@${version} toolforge-deploy --dotenv "$checkout/deploy.env"\n`
    )
    expect(read(TEMPLATE)).toContain(`/v${version}/${TEMPLATE}\n`)
  })

  test('uses its image by digest, the tag beside it as a comment, and runs the package outside the checkout', () => {
    const pinned = /^node:24-alpine@sha256:[0-9a-f]{64} # node:24-alpine$/
    const header = read(COMPONENT).split('\n---\n')[0]!
    expect(/^ {6}default: (.*)$/m.exec(header.slice(header.indexOf('    image:')))![1]).toMatch(pinned)
    expect(/^ {2}image: (.*)$/m.exec(read(TEMPLATE))![1]).toMatch(pinned)
    for (const file of [COMPONENT, TEMPLATE])
      expect(read(file)).toContain('    - checkout="$PWD" && cd "$(mktemp -d)"\n')
  })
})

describe('a pipeline with the component', () => {
  test(
    'deploys, checks the web service, and the job after it reads the outcome',
    withSimulator('single', async ({ url, sim }) => {
      const web = await startWebServer(() => ({ status: 200 }))
      try {
        const description = 'Release "2.0" of mytool; $(touch pwned) `id` & more'
        const project = componentProject('mytool', { description, timeout: '5m' })
        const run = await runPipeline(project, { variables: projectVariables(url), env: runner(web.toolUrl) })
        expect([run.code, run.output]).toEqual([0, expect.stringContaining('PASS  toolforge-deploy')])
        const dotenv = run.dotenv('toolforge-deploy')
        const commit = sim.git.commitOf('mytool')
        expect(dotenv).toMatch(
          new RegExp(
            `^DEPLOY_ID=\\d{8}-\\d{6}-[a-z0-9]{10}\nDEPLOY_STATUS=successful\nDEPLOY_LONG_STATUS=Finished at [^\n]+\n` +
              `DEPLOY_URL=http://127\\.0\\.0\\.1:\\d+/\nDEPLOY_CHECK=passed\nDEPLOY_CHECK_URL=http://127\\.0\\.0\\.1:\\d+/healthz\n` +
              `DEPLOY_COMMIT=${commit}\nDEPLOY_OUTCOME=successful\nDEPLOY_FAILURE=\nDEPLOY_ATTEMPTS=1\nDEPLOY_REASON=\n$`
          )
        )
        const id = /^DEPLOY_ID=(.*)$/m.exec(dotenv)![1]
        expect(run.log('after-deploy')).toContain(
          `deployment ${id} ended successful (successful) at ${web.toolUrl}, commit ${commit}`
        )
        // The description arrived whole: no word splitting, no shell evaluation.
        expect(sim.api.deploymentsOf('mytool').map((d) => d.description)).toEqual([description])
        expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
        expect(web.requests.map((r) => r.path)).toContain('/healthz')
        expectNoToken(run.output + run.log('toolforge-deploy'), TOKEN)
      } finally {
        await web.close()
      }
    }),
    120_000
  )

  test(
    'a failed deployment fails the job, and the job after it still reads why',
    withSimulator('build-failure', async ({ url }) => {
      const run = await runPipeline(componentProject('mytool', { check: 'off' }), {
        variables: projectVariables(url),
        env: runner('http://127.0.0.1:9/')
      })
      expect(run.code).not.toBe(0)
      expect(run.output).toContain('FAIL  toolforge-deploy')
      expect(run.log('toolforge-deploy')).toMatch(
        /Toolforge deployment \S+ of mytool failed: Got exception: Some builds failed/
      )
      expect(run.dotenv('toolforge-deploy')).toMatch(/^DEPLOY_STATUS=failed\n[\s\S]*^DEPLOY_OUTCOME=failed\n/m)
      expect(run.log('after-deploy')).toMatch(/deployment \S+ ended failed \(failed\)/)
    }),
    120_000
  )

  test(
    'inputs reach the command: another tool, forced build and run, fail on conflict',
    withSimulator('single', async ({ url, sim }) => {
      sim.api.occupy('othertool', 60_000)
      const project = componentProject('mytool', {
        tool: 'othertool',
        'force-build': true,
        'force-run': true,
        'on-conflict': 'fail',
        check: 'off'
      })
      const run = await runPipeline(project, {
        variables: projectVariables(url),
        env: runner('https://{tool}.toolforge.example/')
      })
      // The conflict is with othertool's deployment: the tool, and the flag, arrived.
      expect(run.log('toolforge-deploy')).toMatch(
        /another deployment of othertool is in progress on Toolforge \(HTTP 409\)/
      )
      expect(run.dotenv('toolforge-deploy')).toContain('DEPLOY_OUTCOME=refused')
      expect(sim.requests.filter((r) => r.method === 'POST').map((r) => r.tool)).toEqual(['othertool'])
      // The inputs the user set, by their names: not the variables the component made of every input.
      expect(run.log('toolforge-deploy')).toMatch(
        /^Inputs set: tool: othertool, api-url: http:\/\/127\.0\.0\.1:\d+, force-build: true, force-run: true, on-conflict: fail, check: off$/m
      )
      expect(run.log('toolforge-deploy')).not.toContain('Taken from the environment')
      expect(run.log('toolforge-deploy')).toContain(
        'Queue behind the deployment in progress instead: on-conflict: wait'
      )
    }),
    120_000
  )

  test(
    'the inputs the component gained reach the command: api-url, wait, poll-interval, then deploy-id',
    withSimulator('single', async ({ url, sim }) => {
      const started = await runPipeline(
        componentProject('mytool', { 'api-url': url, wait: false, 'poll-interval': '2s', check: 'off' }),
        {
          variables: { TOOLFORGE_DEPLOY_TOKEN: TOKEN },
          env: runner('http://127.0.0.1:9/')
        }
      )
      expect([started.code, started.dotenv('toolforge-deploy')]).toEqual([
        0,
        expect.stringContaining('DEPLOY_OUTCOME=started\n')
      ])
      const id = /^DEPLOY_ID=(.*)$/m.exec(started.dotenv('toolforge-deploy'))![1]!
      const followed = await runPipeline(
        componentProject('mytool', { 'api-url': url, 'deploy-id': id, check: 'off' }),
        {
          variables: { TOOLFORGE_DEPLOY_TOKEN: TOKEN },
          env: runner('http://127.0.0.1:9/')
        }
      )
      expect([followed.code, followed.dotenv('toolforge-deploy')]).toEqual([
        0,
        expect.stringContaining(`DEPLOY_ID=${id}\nDEPLOY_STATUS=successful\n`)
      ])
      expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
    }),
    120_000
  )

  test(
    "an earlier job's dotenv report cannot choose the package or the API the deploy job uses",
    withSimulator('single', async ({ url, sim }) => {
      const project = componentProject('mytool', { check: 'off' })
      const pipeline = JSON.parse(project.files['.gitlab-ci.yml']!) as Record<string, unknown>
      pipeline.stages = ['build', 'deploy', '.post']
      pipeline['repository-code'] = {
        stage: 'build',
        variables: { GIT_STRATEGY: 'none' },
        script: [
          'printf "TOOLFORGE_DEPLOY_PACKAGE=file:/nonexistent.tgz\\nTOOLFORGE_DEPLOY_API_URL=http://127.0.0.1:9\\n" > evil.env'
        ],
        artifacts: { reports: { dotenv: 'evil.env' } }
      }
      const hijacked = gitlabProject('mytool', { ...project.files, '.gitlab-ci.yml': JSON.stringify(pipeline) })
      const run = await runPipeline(hijacked, { variables: projectVariables(url), env: runner('http://127.0.0.1:9/') })
      expect(run.output).toContain('PASS  repository-code')
      expect([run.code, run.dotenv('toolforge-deploy')]).toEqual([
        0,
        expect.stringContaining('DEPLOY_STATUS=successful\n')
      ])
      expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
    }),
    120_000
  )

  test(
    'no file of the checkout changes which code runs or where the dotenv report goes: not its .npmrc, node_modules or a linked deploy.env',
    withSimulator('single', async ({ url }) => {
      const outside = join(mkdtempSync(join(tmpdir(), 'outside-')), 'stolen.env')
      const base = componentProject('mytool', { check: 'off', 'git-strategy': 'fetch' })
      const project = gitlabProject('mytool', {
        ...base.files,
        // npm hands node-options to what npx runs: read from the checkout, it would load evil.cjs first.
        '.npmrc': 'node-options=--require ./evil.cjs\n',
        'evil.cjs': "console.log('HIJACKED by the checkout')\n",
        'package.json': JSON.stringify({
          name: 'mytool',
          version: '0.0.0',
          dependencies: { 'toolforge-deploy': '1.0.0' }
        }),
        'node_modules/toolforge-deploy/package.json': JSON.stringify({
          name: 'toolforge-deploy',
          version: '1.0.0',
          bin: { 'toolforge-deploy': 'evil.js' }
        }),
        'node_modules/toolforge-deploy/evil.js': "#!/usr/bin/env node\nconsole.log('HIJACKED by node_modules')\n"
      })
      symlinkSync(outside, join(project.dir, 'deploy.env'))
      execFileSync('git', ['add', '-A'], { cwd: project.dir })
      execFileSync(
        'git',
        ['-c', 'user.email=ci@example.invalid', '-c', 'user.name=ci', 'commit', '-q', '-m', 'a hostile checkout'],
        { cwd: project.dir }
      )
      const run = await runPipeline(project, { variables: projectVariables(url), env: runner('http://127.0.0.1:9/') })
      expect([run.code, run.dotenv('toolforge-deploy')]).toEqual([
        0,
        expect.stringContaining('DEPLOY_STATUS=successful\n')
      ])
      expect(run.log('toolforge-deploy')).not.toContain('HIJACKED')
      expect(existsSync(outside)).toBe(false)
    }),
    120_000
  )

  test(
    "retries deploys again after Toolforge's own failure; DEPLOY_FAILURE and DEPLOY_ATTEMPTS say how it went",
    withSimulator('single', async ({ url, sim }) => {
      const web = (lost: boolean) => ({
        components: [{ name: 'web', build: { kind: 'source' as const, queueMs: 200, buildMs: 600, lost } }]
      })
      sim.api.setNextScenarios('mytool', web(true), web(false))
      const again = await runPipeline(componentProject('mytool', { check: 'off', retries: '1' }), {
        variables: projectVariables(url),
        env: runner('http://127.0.0.1:9/')
      })
      expect(again.code).toBe(0)
      expect(again.dotenv('toolforge-deploy')).toMatch(
        /^DEPLOY_OUTCOME=successful\nDEPLOY_FAILURE=\nDEPLOY_ATTEMPTS=2\n/m
      )
      expect(sim.api.deploymentsOf('mytool')).toHaveLength(2)
      // The first attempt's failure, as the summary in the job's log names it.
      expect(again.log('toolforge-deploy')).toMatch(/^ +Attempt 1 +\S+ failed: Got exception: Some builds failed/m)
    }),
    120_000
  )

  test(
    'a bad input is named as the input it is, and the later job still reads why',
    withSimulator('single', async ({ url, sim }) => {
      const run = await runPipeline(componentProject('mytool', { timeout: '7h', check: 'off' }), {
        variables: projectVariables(url),
        env: runner('http://127.0.0.1:9/')
      })
      expect(run.log('toolforge-deploy')).toMatch(/Input 'timeout' is "7h"; accepted: /)
      expect(run.log('toolforge-deploy')).not.toContain('TOOLFORGE_DEPLOY_TIMEOUT')
      expect(run.dotenv('toolforge-deploy')).toMatch(
        /^DEPLOY_OUTCOME=bad-input\nDEPLOY_FAILURE=input\nDEPLOY_ATTEMPTS=0\nDEPLOY_REASON=Input ’timeout’ is ”7h”; accepted: /m
      )
      expect(sim.requests).toEqual([])
    }),
    120_000
  )

  test(
    "a wait longer than the job's time is said before it starts",
    withSimulator('single', async ({ url }) => {
      // Not waiting, the run ends once the deployment is created: the warning comes before that.
      const run = await runPipeline(componentProject('mytool', { timeout: '50m', check: 'off', wait: false }), {
        variables: projectVariables(url, { CI_JOB_TIMEOUT: String(45 * 60) }),
        env: runner('http://127.0.0.1:9/')
      })
      expect(run.log('toolforge-deploy')).toMatch(
        /warning: GitLab stops this job in 4[45]m\d*s? \(its job timeout is 45m\), before this run's wait may end \('timeout' 50m\)/
      )
      expect(run.dotenv('toolforge-deploy')).toContain('DEPLOY_OUTCOME=started')
    }),
    120_000
  )

  test('two tools of one project each have their environment and resource group, and GitLab its job timeout', async () => {
    const pipeline = {
      include: [
        { local: COMPONENT, inputs: { tool: 'alpha', 'job-name': 'deploy-alpha' } },
        { local: COMPONENT, inputs: { tool: 'beta', 'job-name': 'deploy-beta', 'job-timeout': '2h' } }
      ]
    }
    const { code, jobs } = await expandedPipeline(
      gitlabProject('mytool', { '.gitlab-ci.yml': JSON.stringify(pipeline), [COMPONENT]: read(COMPONENT) })
    )
    expect(code).toBe(0)
    const keys = (name: string) => {
      const job = jobs[name] as { resource_group: string; environment: { name: string }; timeout: string }
      return [job.resource_group, job.environment.name, job.timeout]
    }
    expect(keys('deploy-alpha')).toEqual(['toolforge-deploy/alpha', 'toolforge/alpha', '45m'])
    expect(keys('deploy-beta')).toEqual(['toolforge-deploy/beta', 'toolforge/beta', '2h'])
  }, 60_000)

  test('scheduled pipelines do not deploy, unless the rules say so', async () => {
    const schedule = ['--list', '--variable', 'CI_PIPELINE_SOURCE=schedule']
    const nightly = await runPipeline(componentProject('mytool'), { args: schedule })
    expect(nightly.code).toBe(0)
    expect(nightly.output).not.toMatch(/^toolforge-deploy\b/m)
    const push = await runPipeline(componentProject('mytool'), {
      args: ['--list', '--variable', 'CI_PIPELINE_SOURCE=push']
    })
    expect(push.output).toMatch(/^toolforge-deploy\b/m)
    // As docs/gitlab.md shows: the rules input, without the schedule's rule.
    const included = await runPipeline(
      componentProject('mytool', { rules: [{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }] }),
      { args: schedule }
    )
    expect(included.output).toMatch(/^toolforge-deploy\b/m)
  }, 60_000)

  test('by default it runs on the default branch only, whatever that is called', async () => {
    const onMaster = await runPipeline(componentProject('mytool', {}, { defaultBranch: 'master' }), {
      args: ['--list']
    })
    expect(onMaster.output).toMatch(/^toolforge-deploy\b/m)
    const onMain = await runPipeline(componentProject('mytool', {}, { branch: 'main', defaultBranch: 'master' }), {
      args: ['--list']
    })
    expect(onMain.code).toBe(0)
    expect(onMain.output).not.toMatch(/^toolforge-deploy\b/m)
    expect(onMain.output).toMatch(/^after-deploy\b/m)
  }, 60_000)
})

describe('the plain template, for instances without CI/CD components', () => {
  test(
    "takes the place of Toolforge's snippet: its TOOLS_DEPLOY_TOKEN and TOOL_NAME, options as job variables",
    withSimulator('single', async ({ url, sim }) => {
      const pipeline = {
        include: [{ local: TEMPLATE }],
        'toolforge-deploy': { variables: { TOOLFORGE_DEPLOY_TIMEOUT: '10m', TOOLFORGE_DEPLOY_CHECK: 'off' } }
      }
      const project = gitlabProject('mytool', {
        '.gitlab-ci.yml': JSON.stringify(pipeline),
        [TEMPLATE]: fromCheckout(TEMPLATE)
      })
      const variables = { TOOLS_DEPLOY_TOKEN: TOKEN, TOOL_NAME: 'snippettool', TOOLFORGE_DEPLOY_API_URL: url }
      const run = await runPipeline(project, { variables, env: runner('http://127.0.0.1:9/{tool}/') })
      expect([run.code, run.dotenv('toolforge-deploy')]).toEqual([
        0,
        expect.stringContaining('DEPLOY_STATUS=successful\n')
      ])
      expect(run.dotenv('toolforge-deploy')).toContain('DEPLOY_URL=http://127.0.0.1:9/snippettool/\n')
      expect(sim.requests.filter((r) => r.method === 'POST').map((r) => r.tool)).toEqual(['snippettool'])
      expect(run.log('toolforge-deploy')).toContain("TOOLS_DEPLOY_TOKEN (from Toolforge's GitLab snippet)")
      expect(run.log('toolforge-deploy')).toContain('Created deployment')
      expectNoToken(run.output + run.log('toolforge-deploy'), TOKEN)
    }),
    120_000
  )
})

describe("the documentation's pipelines", () => {
  /** The documentation's includes, pointed at this checkout's files. */
  const local = (block: string) =>
    block
      .replace(
        /component: \$CI_SERVER_FQDN\/toolforge\/deploy-action\/toolforge-deploy@\d+\.\d+\.\d+/g,
        `local: ${COMPONENT}`
      )
      .replace(
        /remote: https:\/\/raw\.githubusercontent\.com\/toolforge\/deploy-action\/v\d+\.\d+\.\d+\/gitlab\/toolforge-deploy\.gitlab-ci\.yml/,
        `local: ${TEMPLATE}`
      )
  const examples = yamlBlocks().filter(({ block }) => /^include:/m.test(block))
  const blocks = examples.map(({ block }) => block)
  const project = (block: string, branch = 'main') =>
    gitlabProject(
      'mytool',
      { '.gitlab-ci.yml': local(block), [COMPONENT]: read(COMPONENT), [TEMPLATE]: read(TEMPLATE) },
      { branch }
    )
  /** The pipeline's source, set as GitLab sets it (gitlab-ci-local warns about setting a predefined variable). */
  const SOURCE = ['--ignore-predefined-vars', 'CI_PIPELINE_SOURCE', '--variable']
  /**
   * The pipeline as GitLab would make it: on the default branch, its jobs listed; on another branch and in a merge
   * request's pipeline, run (which is when a `needs:` of a job that is not there makes it invalid).
   */
  const listed = async (block: string, where: 'default' | 'branch' | 'merge-request') => {
    const source =
      where === 'merge-request'
        ? [...SOURCE, 'CI_PIPELINE_SOURCE=merge_request_event', '--variable', 'CI_MERGE_REQUEST_IID=7']
        : [...SOURCE, 'CI_PIPELINE_SOURCE=push']
    const args = where === 'default' ? ['--list', ...source] : source
    const run = await runPipeline(project(block, where === 'default' ? 'main' : 'feature'), { args })
    const jobs =
      where === 'default'
        ? run.output.split('\n').map((line) => line.split(/\s/)[0]!)
        : [...run.output.matchAll(/^(\S+) +starting /gm)].map((match) => match[1]!)
    return { code: run.code, output: run.output, jobs }
  }

  test('are valid GitLab CI, each with the deploy job', async () => {
    expect(examples.map(({ file }) => file)).toEqual([
      'README.md',
      'docs/gitlab.md',
      'docs/gitlab.md',
      'docs/gitlab.md',
      'docs/gitlab.md'
    ])
    for (const block of blocks) {
      const pipeline = await expandedPipeline(project(block))
      expect([pipeline.code, pipeline.output]).toEqual([0, expect.stringContaining('json schema validated')])
      expect(Object.keys(pipeline.jobs).some((job) => /deploy/.test(job))).toBe(true)
    }
  }, 120_000)

  test('each is a valid pipeline on the default branch, on another branch and in a merge request', async () => {
    for (const block of blocks) {
      const onDefault = await listed(block, 'default')
      expect([onDefault.code, onDefault.jobs.some((job) => /deploy/.test(job))]).toEqual([0, true])
      for (const where of ['branch', 'merge-request'] as const) {
        const elsewhere = await listed(block, where)
        expect([where, elsewhere.code]).toEqual([where, 0])
        expect(elsewhere.jobs.filter((job) => /deploy/.test(job))).toEqual([])
      }
    }
    // What the README showed before: a later job that needs the deploy job, not optionally, breaks other branches.
    const strict = blocks[0]!.replace(
      /needs:\n\s+- job: toolforge-deploy\n\s+optional: true[^\n]*/,
      'needs: [toolforge-deploy]'
    )
    expect(strict).not.toBe(blocks[0])
    expect((await listed(strict, 'branch')).code).not.toBe(0)
  }, 240_000)

  test(
    'the job after the deployment tells how it ended, also when it failed',
    withSimulator('build-failure', async ({ url }) => {
      const project = gitlabProject('mytool', {
        '.gitlab-ci.yml': local(blocks[0]!),
        [COMPONENT]: fromCheckout(COMPONENT)
      })
      const run = await runPipeline(project, {
        variables: projectVariables(url),
        env: runner('http://127.0.0.1:9/'),
        args: ['toolforge-deploy', 'announce']
      })
      expect(run.output).toContain('FAIL  toolforge-deploy')
      expect(run.log('announce')).toMatch(
        /Deployment \d{8}-\d{6}-[a-z0-9]{10} ended failed \(failed\); Toolforge deployment \S+ of mytool failed: /
      )
    }),
    120_000
  )
})
