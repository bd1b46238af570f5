import { ApiError } from '../engine/api-error.js'
import type { DeployOutcome } from '../engine/deploy.js'
import { SERVED_EXCERPT } from '../engine/serving-check.js'
import { failureOwner } from '../engine/failure-class.js'
import { failedComponents, isComponentDone, statusOf } from '../engine/status.js'
import { statusWord } from './words.js'
import type { Deployment } from '../engine/toolforge-types.js'
import { formatDuration } from '../settings/duration.js'
import type { CheckedConfig, Settings } from '../settings/settings.js'
import { commitMismatch } from './commits.js'
import { HEADINGS, redirected, troubleshootingAnchor, troubleshootingLink } from './troubleshooting.js'

/**
 * What an outcome means, in words, for any front end: its kind, an honest title, one
 * statement of the problem, and what to do next, named as that front end names things
 * (the action's inputs, the command's flags). Texts from Toolforge pass through as they
 * came; callers make them safe for where they go.
 */

export type OutcomeKind =
  | 'successful'
  | 'token-accepted'
  | 'config-accepted'
  | 'started'
  | 'not-serving'
  | 'other-commit'
  | 'failed'
  | 'timed-out'
  | 'cancelled'
  | 'stopped-waiting'
  | 'interrupted'
  | 'queued'
  | 'refused'
  | 'unreachable'
  | 'unknown-creation'
  | 'vanished'
  | 'bad-input'

/** How a front end names an option: `force-build: true` for the action, `--force-build` for the command. */
export interface Voice {
  option(name: string, value?: string): string
  /** How to follow deployment `id` from a new run. */
  follow(id: string): string
}

/** A front end whose options are inputs (the action, the GitLab component): `force-build: true`. */
export const INPUT_VOICE: Voice = {
  option: (name, value) => (value === undefined ? `the input ${name}` : `${name}: ${value}`),
  follow: (id) => `deploy-id: ${id}`
}

export interface NextStep {
  text: string
  command?: string
  /** An address of the project's own, to follow. */
  link?: string
}

export interface Verdict {
  kind: OutcomeKind
  ok: boolean
  title: string
  problem: string | undefined
  nextSteps: NextStep[]
}

/** Where Toolforge's admins take reports. */
export const TOOLFORGE_HELP = 'https://phabricator.wikimedia.org/tag/toolforge/'

/** The most failed components whose log commands are listed one by one. */
export const LISTED_FAILURES = 3

const TITLES: Record<OutcomeKind, string> = {
  successful: 'Toolforge deployment successful',
  'token-accepted': 'Deploy token accepted, nothing deployed',
  'config-accepted': 'Components config accepted, nothing deployed',
  started: 'Toolforge deployment started',
  'not-serving': 'Deployed, but not serving',
  'other-commit': 'Deployed, but not the expected commit',
  failed: 'Toolforge deployment failed',
  'timed-out': 'Toolforge deployment timed out',
  cancelled: 'Toolforge deployment cancelled',
  'stopped-waiting': 'Stopped waiting for the deployment',
  interrupted: 'Interrupted while following the deployment',
  queued: 'Queued behind another Toolforge deployment',
  refused: 'Toolforge refused the deployment',
  unreachable: 'Toolforge could not be reached',
  'unknown-creation': 'Not known whether a deployment was started',
  vanished: 'The deployment is no longer on Toolforge',
  'bad-input': 'Not deployed: bad input'
}

/** A title closer to what happened than its kind's, where one kind covers several happenings. */
function titleOf(kind: OutcomeKind, outcome: DeployOutcome): string {
  if (redirected(outcome)) return 'The API address answered with a redirect'
  if (kind === 'interrupted' && outcome.check) return 'Interrupted during the serving check'
  return TITLES[kind]
}

export function outcomeKind(outcome: DeployOutcome): OutcomeKind {
  switch (outcome.end) {
    case 'successful':
      return 'successful'
    case 'no-wait':
      return 'started'
    case 'not-serving':
      return 'not-serving'
    case 'other-commit':
      return 'other-commit'
    case 'failed': {
      // A deployment ends failed only as Toolforge last showed it.
      const status = statusOf(outcome.deployment!)
      return status === 'timed_out' ? 'timed-out' : status === 'cancelled' ? 'cancelled' : 'failed'
    }
    case 'timeout':
      return 'stopped-waiting'
    case 'interrupted':
      return outcome.mayHaveStarted ? 'unknown-creation' : 'interrupted'
    case 'vanished':
      return 'vanished'
    case 'queued':
      return 'queued'
    case 'token-accepted':
      return 'token-accepted'
    case 'error':
      if (outcome.mayHaveStarted) return 'unknown-creation'
      // A redirect is an answer: the address is not the API's.
      return redirected(outcome) || (outcome.error instanceof ApiError && outcome.error.kind === 'http')
        ? 'refused'
        : 'unreachable'
  }
}

function apiErrorMessage(error: ApiError, settings: Settings): string {
  const said = error.toolforgeErrors.length > 0 ? error.toolforgeErrors.join('; ') : undefined
  switch (error.kind === 'http' ? error.status : undefined) {
    case 401:
      return `Toolforge refused the deploy token (HTTP 401): ${said ?? 'no reason given'}`
    case 403:
      return `Toolforge refused the request (HTTP 403): ${said ?? 'no reason given'}`
    case 404:
      return settings.deployId
        ? `Toolforge knows no deployment ${settings.deployId} of tool ${settings.tool} (HTTP 404): ` +
            `${said ?? 'not found'}`
        : `Toolforge found nothing to deploy for tool ${settings.tool} (HTTP 404): ${said ?? 'not found'}`
    case 409:
      return `another deployment of ${settings.tool} is in progress on Toolforge (HTTP 409): ${said ?? 'conflict'}`
    default:
      return error.message
  }
}

/** ", while Toolforge's API had failed every read for the last 4m 10s (HTTP 502)", when an outage lasted to the end. */
function outageClause(outcome: DeployOutcome): string {
  const outage = outcome.outages.at(-1)
  if (!outage?.ongoing) return ''
  return (
    `, while Toolforge's API had failed every read for the last ` +
    `${formatDuration(outcome.endedAt - outage.startedAt)} ` +
    `(${outage.failures} in a row; the last: ${outage.last})`
  )
}

/** The serving check's result in words: "answered 200 after 4s", "did not answer within 3m (503 × 14)". */
export function checkSummary(outcome: DeployOutcome): string | undefined {
  const check = outcome.check
  if (!check?.target) return check?.reason ? `not checked: ${check.reason}` : undefined
  const url = check.target.url
  if (check.result === 'passed') {
    const waited =
      check.answers.length > 1 ? ` after ${formatDuration(check.durationMs)} (${check.answers.length} tries)` : ''
    return `${url} answered ${check.answers.at(-1)}${waited}`
  }
  const counts = new Map<string, number>()
  for (const answer of check.answers) counts.set(answer, (counts.get(answer) ?? 0) + 1)
  const tally = [...counts].map(([answer, count]) => (count > 1 ? `${answer} × ${count}` : answer)).join(', ')
  if (check.result === 'interrupted')
    return `${url} was still being checked when the run was interrupted${tally ? ` (${tally})` : ''}`
  const expect = check.target.expect
  if (expect !== undefined) {
    // The excerpt is cut in characters, not UTF-16 units: count them the same way.
    const served =
      check.served === undefined
        ? ''
        : `; it served: "${check.served}${[...check.served].length >= SERVED_EXCERPT ? '…' : ''}"`
    return `${url} did not serve "${expect}" within ${formatDuration(check.durationMs)} (${tally})${served}`
  }
  return (
    `${url} did not answer as a serving ${check.target.strict ? 'health check' : 'web service'} within ` +
    `${formatDuration(check.durationMs)} (${tally})`
  )
}

/** `Finished at 2026-11-28 06:45:37.123456+00:00` as `finished at 2026-11-28 06:45:37 UTC`. */
export function plainTimes(text: string): string {
  return text.replace(
    /^(Started|Finished) at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(\.\d+)?\+00:00$/,
    (_m, what: string, when: string) => `${what.toLowerCase()} at ${when} UTC`
  )
}

const and = (names: string[]) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0]!)

/** What had not finished when the deployment ended: "the builds of web and worker". */
function unfinished(d: Deployment): string | undefined {
  const names = [...new Set([...Object.keys(d.builds), ...Object.keys(d.runs)])].sort()
  const builds = names.filter((name) => !isComponentDone('build', d.builds[name]?.build_status ?? 'pending'))
  const runs = names.filter(
    (name) => !builds.includes(name) && !isComponentDone('run', d.runs[name]?.run_status ?? 'pending')
  )
  const parts = [
    builds.length > 0 && `the build${builds.length > 1 ? 's' : ''} of ${and(builds)}`,
    runs.length > 0 && `the run${runs.length > 1 ? 's' : ''} of ${and(runs)}`
  ]
  const list = parts.filter((part): part is string => typeof part === 'string')
  return list.length > 0 ? and(list) : undefined
}

function problemOf(kind: OutcomeKind, outcome: DeployOutcome, settings: Settings): string | undefined {
  const d = outcome.deployment
  const id = d?.deploy_id ?? settings.deployId
  switch (kind) {
    case 'successful':
    case 'started':
    case 'token-accepted':
    case 'config-accepted':
      return undefined
    case 'not-serving':
      return `Toolforge deployed ${id} successfully, but ${checkSummary(outcome)}`
    case 'other-commit':
      return `${commitMismatch(outcome.commitCheck, d)}. Deployment ${id} is ${statusWord(d!)} on Toolforge.`
    case 'timed-out': {
      // Toolforge leaves the long status as it was ("Started at …"): what was still going on says more.
      const pending = unfinished(d!)
      const said = d!.long_status ? `; Toolforge says: ${plainTimes(d!.long_status)}` : ''
      return (
        `Toolforge deployment ${id} of ${settings.tool} timed ` +
        `out${pending ? ` before ${pending} had finished` : ''}${said}`
      )
    }
    case 'failed':
    case 'cancelled': {
      const how =
        statusOf(d!) === 'cancelled'
          ? 'was cancelled'
          : failureOwner(d!) === 'toolforge'
            ? "failed for Toolforge's own reason, not the tool's"
            : 'failed'
      return `Toolforge deployment ${id} of ${settings.tool} ${how}: ${d!.long_status || 'no reason given'}`
    }
    case 'stopped-waiting':
      return id
        ? `this run's timeout (${formatDuration(settings.timeoutMs)}) expired while deployment ${id} was ` +
            `${d ? statusWord(d) : 'in progress'} on Toolforge${outageClause(outcome)}. The deployment goes on ` +
            `there; this run no longer follows it (toolforge components deployment show ${id}).`
        : `this run's timeout (${formatDuration(settings.timeoutMs)}) expired while another deployment of ` +
            `${settings.tool} was still in progress on Toolforge, so none was created.`
    case 'interrupted':
      if (d && outcome.check)
        return `interrupted while checking that ${settings.tool} serves; Toolforge had deployed ${id} successfully.`
      if (id)
        return (
          `interrupted; deployment ${id} continues on Toolforge (a deploy token cannot cancel it). Last status: ` +
          `${d ? statusWord(d) : 'unknown'}.`
        )
      return 'interrupted before a deployment was created.'
    case 'vanished':
      return (
        `deployment ${id}${settings.deployId ? '' : ', which this run created,'} can no longer be found on Toolforge ` +
        `(HTTP 404); last seen ${d ? statusWord(d) : 'in progress'}. Toolforge keeps only the last 25 deployments ` +
        `of a tool, so newer ones may have pushed it out; this run cannot tell how it ended.`
      )
    case 'queued':
      return (
        `deployment ${id} of ${settings.tool} is queued on Toolforge behind another deployment of the tool, and ` +
        `this run was asked to fail on a conflict. It stays queued, and will still run when the deployments ahead of ` +
        `it have finished: a deploy token cannot cancel it.`
      )
    case 'unknown-creation': {
      if (outcome.end === 'interrupted')
        return (
          `interrupted while the request to create the deployment was under way: Toolforge may have started a ` +
          `deployment all the same. This run cannot tell, and did not ask again, so that no second one is started.`
        )
      const reason =
        outcome.error instanceof ApiError ? apiErrorMessage(outcome.error, settings) : outcome.error!.message
      return (
        `creating the deployment failed with an unknown outcome (${reason}): a deployment may have been started ` +
        `on Toolforge. It was not retried, so that no second one is started.`
      )
    }
    case 'refused':
    case 'unreachable':
    case 'bad-input': {
      const error = outcome.error!
      const reason = error instanceof ApiError ? apiErrorMessage(error, settings) : error.message
      if (settings.dryRun) return `checking the deploy token failed: ${reason}`
      return id ? `following deployment ${id} failed: ${reason}` : `creating the deployment failed: ${reason}`
    }
  }
}

function failureSteps(outcome: DeployOutcome, voice: Voice): NextStep[] {
  const d = outcome.deployment!
  const failed = failedComponents(d)
  const steps: NextStep[] = []
  const builds = failed.filter((f) => f.stage === 'build')
  const runs = failed.filter((f) => f.stage === 'run')
  const logs = (f: (typeof builds)[number]) => `toolforge build logs ${d.builds[f.component]?.build_id}`
  if (builds.length <= LISTED_FAILURES)
    for (const f of builds) steps.push({ text: `Read the build log of ${f.component}`, command: logs(f) })
  // Beyond a few, one command per build would only repeat the ids the components list shows.
  else
    steps.push({
      text: `Read the logs of the ${builds.length} failed builds by their build ids, ${builds[0]!.component}'s first`,
      command: logs(builds[0]!)
    })
  for (const f of runs)
    steps.push({
      text: `Read the logs of ${f.component}, and fix its run settings with the jobs service's reason above`,
      command: `toolforge jobs logs ${f.component}`
    })
  if (builds.length > 0)
    steps.push({
      text: `If a build failed for a temporary reason, build again: ${voice.option('force-build', 'true')}`
    })
  return steps
}

function nextStepsOf(kind: OutcomeKind, outcome: DeployOutcome, settings: Settings, voice: Voice): NextStep[] {
  const d = outcome.deployment
  const id = d?.deploy_id ?? settings.deployId
  const show = { text: 'See the deployment on Toolforge', command: `toolforge components deployment show ${id}` }
  const httpStatus =
    outcome.error instanceof ApiError && outcome.error.kind === 'http' ? outcome.error.status : undefined
  switch (kind) {
    case 'successful':
    case 'started':
    case 'token-accepted':
    case 'config-accepted':
    case 'bad-input':
      return []
    case 'not-serving': {
      const component = outcome.check?.target?.component
      return [
        { text: "Read the web service's logs", command: 'toolforge webservice logs' },
        ...(component ? [{ text: `Read the logs of ${component}`, command: `toolforge jobs logs ${component}` }] : []),
        { text: `If it only starts slowly, give it longer: ${voice.option('check-timeout', '10m')}` }
      ]
    }
    case 'other-commit': {
      if (outcome.commitCheck?.result !== 'differs') {
        return [
          {
            text:
              `The commit is read from the repository without credentials; for a private repository, leave ` +
              `${voice.option('expect-commit')} empty`
          }
        ]
      }
      const c = outcome.commitCheck.components[0]!
      // Only a command with nothing a shell would read in it: the address comes from the server.
      const inert = /^[\w:/.~%@+-]+$/.test(c.repository) && /^[\w./-]*$/.test(c.ref)
      return [
        ...(inert
          ? [
              {
                text: 'See which commit the ref names now',
                command: `git ls-remote ${c.repository} ${c.ref || 'HEAD'}`
              }
            ]
          : []),
        {
          text:
            `Check that build.ref in the components config names the branch this run deploys, and that the ` +
            `repository Toolforge builds from is not a mirror still catching up; then deploy again`
        }
      ]
    }
    case 'failed':
      if (failureOwner(d!) === 'toolforge')
        return [
          {
            text:
              `Nothing in the tool needs fixing: deploy again, or let the run do it next time ` +
              `(${voice.option('retries', '2')}). If it keeps failing, tell Toolforge's admins, with the ` +
              `deployment's id: ${TOOLFORGE_HELP}`
          },
          show
        ]
      return [...failureSteps(outcome, voice), show]
    case 'timed-out':
      return [
        {
          text: 'Toolforge gives a deployment one hour; see whether builds are stuck',
          command: 'toolforge build list'
        },
        show
      ]
    case 'cancelled':
      return [
        {
          text: 'Someone cancelled it on Toolforge; deploy again when ready',
          command: `toolforge components deployment show ${id}`
        }
      ]
    case 'stopped-waiting':
      if (!id)
        return [
          {
            text: `See what else is deploying, or give it longer: ${voice.option('timeout', '1h')}`,
            command: 'toolforge components deployment list'
          }
        ]
      // The problem already names the command that shows it.
      return [
        { text: `Follow it to the end with ${voice.follow(id)}, or give it longer: ${voice.option('timeout', '1h')}` }
      ]
    case 'interrupted':
      return id && !outcome.check
        ? [{ text: `It continues on Toolforge; follow it with ${voice.follow(id)}` }, show]
        : []
    case 'queued':
      return [
        {
          text:
            `It will run on Toolforge; follow it to the end with ${voice.follow(id!)}, or wait for it next time: ` +
            `${voice.option('on-conflict', 'wait')}`
        },
        show
      ]
    case 'unknown-creation':
      return [
        {
          text: 'Check whether a deployment was started before running again',
          command: 'toolforge components deployment list'
        }
      ]
    case 'vanished':
      return [
        {
          text: 'See the deployments Toolforge still keeps, and whether the tool serves what was deployed',
          command: 'toolforge components deployment list'
        }
      ]
    case 'refused':
      if (redirected(outcome))
        return [
          {
            text:
              `Give the API's own address (${voice.option('api-url')}); a redirect is not followed, since it would ` +
              `send the deploy token elsewhere`
          }
        ]
      if (httpStatus === 401)
        return [
          {
            text: 'Create a new deploy token and store it where this run reads it',
            command: 'toolforge components deploy-token create'
          }
        ]
      if (httpStatus === 404 && !settings.deployId)
        return [
          {
            text: `Check that the tool name is right (${voice.option('tool')}) and that it has a components config`,
            command: 'toolforge components config show'
          }
        ]
      if (httpStatus === 404)
        return [
          {
            text: 'Toolforge keeps the last 25 deployments of a tool; list them',
            command: 'toolforge components deployment list'
          }
        ]
      if (httpStatus === 409)
        return [{ text: `Queue behind the deployment in progress instead: ${voice.option('on-conflict', 'wait')}` }]
      return id ? [show] : []
    case 'unreachable':
      return id ? [show] : [{ text: `Check the API address (${voice.option('api-url')}) and Toolforge's status` }]
  }
}

/** Bad input: nothing was sent; the message says which input and what is accepted (each of several, one by one). */
export function badInputVerdict(message: string, problems?: string[]): Verdict {
  return {
    kind: 'bad-input',
    ok: false,
    title: TITLES['bad-input'],
    problem: problems ? `${problems.length} inputs are not valid` : message,
    nextSteps: [
      ...(problems ?? []).map((text) => ({ text })),
      { text: `Nothing was sent to Toolforge: correct the value${problems ? 's' : ''} and run again` },
      ...explained(HEADINGS.badInput)
    ]
  }
}

/** An error of the run's own, not Toolforge's: nothing more is known. */
export function unexpectedVerdict(message: string): Verdict {
  return {
    kind: 'unreachable',
    ok: false,
    title: 'Stopped by an unexpected error',
    problem: message,
    nextSteps: [{ text: 'Run again; if it happens again, report it with the log' }, ...explained(HEADINGS.unexpected)]
  }
}

/** A dry run given a config file and no token checks only the file. */
export function checksConfigOnly(settings: Settings): boolean {
  return settings.dryRun && settings.config !== undefined && !settings.token
}

/** Said in the log when the config file was all the run checked. */
export const TOKEN_NOT_CHECKED = 'No deploy token given: the token was not checked, and nothing was sent to Toolforge.'

/** The config file's verdict in one line, for the log. */
export function configLine(config: CheckedConfig): string {
  return `${config.file}: Toolforge would ${config.errors.length === 0 ? 'accept' : 'refuse'} this components config`
}

/**
 * A config Toolforge would refuse, each problem at its line; or, for a dry run given no token, the config alone
 * accepted.
 */
export function configVerdict(config: CheckedConfig): Verdict {
  const n = config.errors.length
  if (n === 0)
    return { kind: 'config-accepted', ok: true, title: TITLES['config-accepted'], problem: undefined, nextSteps: [] }
  return {
    kind: 'bad-input',
    ok: false,
    title: 'Not deployed: Toolforge would refuse the components config',
    problem: `${config.file} has ${n === 1 ? 'a problem' : `${n} problems`} that Toolforge would refuse it for`,
    // Each problem as code: its key path copies out exactly.
    nextSteps: [
      ...config.errors.map((e) => ({ text: `${e.file}:${e.line}`, command: e.message })),
      { text: 'Nothing was sent to Toolforge: correct the file and run again' },
      ...explained(HEADINGS.config)
    ]
  }
}

/** The last step of every failure: where its message is explained. */
const explained = (anchor: string | undefined): NextStep[] =>
  anchor ? [{ text: 'What this means, and how to fix it', link: troubleshootingLink(anchor) }] : []

export function verdict(outcome: DeployOutcome, settings: Settings, voice: Voice): Verdict {
  const kind = outcomeKind(outcome)
  return {
    kind,
    ok: kind === 'successful' || kind === 'started' || kind === 'token-accepted' || kind === 'config-accepted',
    title: `${titleOf(kind, outcome)}: ${settings.tool}`,
    problem: problemOf(kind, outcome, settings),
    nextSteps: [...nextStepsOf(kind, outcome, settings, voice), ...explained(troubleshootingAnchor(kind, outcome))]
  }
}
