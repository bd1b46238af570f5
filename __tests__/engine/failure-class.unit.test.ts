import { describe, expect, test } from '@jest/globals'
import { failureOwner } from '../../src/engine/failure-class.js'
import { deployment } from '../../dev/fixtures/deployments.js'

/** A failed deployment with Toolforge's long status, and one build in `state` saying `said`. */
const failed = (long: string, said = 'You can see the logs with `toolforge build logs b-1`', state = 'failed') => ({
  ...deployment('failed', { web: state }, { web: 'skipped' }),
  long_status: long,
  builds: { web: { build_id: 'b-1', build_status: state, build_long_status: said } }
})

const JOBS = 'https://api.svc.tools.eqiad1.wikimedia.cloud/jobs/v1/tool/t/jobs/'

describe("whose failure a failed deployment is, from the real server's texts", () => {
  test.each([
    [
      'a build that failed',
      failed('Got exception: Some builds failed, you can check the build logs for more info: web(id:b-1)'),
      'tool'
    ],
    [
      'a build Toolforge lost',
      failed(
        'Got exception: Some builds failed, you can check the build logs for more info: web(id:b-1)',
        'build b-1 not found, maybe it was deleted?'
      ),
      'toolforge'
    ],
    [
      'a ref the build service refused (400)',
      failed('Got exception: Some builds failed to start: web(error:400 Client Error: BAD REQUEST for url: x)'),
      'tool'
    ],
    [
      'a builds service that did not answer',
      failed('Got exception: Some builds failed to start: web(error:Read timed out.)'),
      'toolforge'
    ],
    [
      'builds stuck because the builds service kept failing',
      failed(
        'Got exception: Some builds took too long to finish: web',
        'Unknown HTTP error 500 Server Error',
        'unknown'
      ),
      'toolforge'
    ],
    [
      'a build that is simply too long',
      failed('Got exception: Some builds took too long to finish: web', '…', 'running'),
      'tool'
    ],
    [
      'a full build queue',
      failed(
        'Got exception: Some builds failed to start: web(error:Timed out waiting for the build queue to free a slot, waited for 0:30:00)'
      ),
      'toolforge'
    ],
    [
      'run settings the jobs service refused',
      failed(
        `Got exception: Failed run for component web: 400 Client Error: Bad Request for url: ${JOBS} (400): Unable to parse cron expression`
      ),
      'tool'
    ],
    [
      'a jobs service that erred',
      failed(
        `Got exception: Failed run for component web: 500 Server Error: INTERNAL SERVER ERROR for url: ${JOBS} (500): Internal server error`
      ),
      'toolforge'
    ],
    [
      'a jobs service that did not answer',
      failed(
        "Got exception: Failed run for component web: HTTPConnectionPool(host='x', port=443): Read timed out. (read timeout=20)"
      ),
      'toolforge'
    ],
    ["an exception of Toolforge's own code", failed('Got exception: KeyError: builds'), 'toolforge'],
    ['no reason at all', failed(''), 'tool']
  ])('%s: %s', (_name, given, owner) => {
    expect(failureOwner(given)).toBe(owner)
  })
})
