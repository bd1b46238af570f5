import { describe, expect, test } from '@jest/globals'
import { componentRows, richText, shortImage } from '../../src/report/components.js'
import { deployment } from '../../dev/fixtures/deployments.js'

const DIGEST = '772632716c43069c43a8c3b7cf3c25632b92409d3fb64afebede10d4e8eb2af2'

describe('component rows', () => {
  test('placeholders are shown as what they mean, never as ids or images', () => {
    const d = deployment('running', {}, { web: 'pending', cron: 'pending', api: 'pending', old: 'pending' })
    d.builds = {
      web: { build_id: 'no-id-yet', build_status: 'pending', build_image: 'no-image-yet' },
      cron: {
        build_id: 'no-build-needed',
        build_status: 'skipped',
        build_long_status: 'Component re-uses build from web'
      },
      old: {
        build_id: 'tool-buildpacks-pipelinerun-ab12c',
        build_status: 'skipped',
        build_image: `h/tool-x/old:latest@sha256:${DIGEST}`,
        build_long_status: 'Reusing existing build'
      }
    }
    const rows = componentRows(d, undefined)
    const byName = Object.fromEntries(rows.map((row) => [row.name, row]))
    expect(byName.web).toStrictEqual({ name: 'web', build: { state: 'pending' }, run: { state: 'pending' }, notes: [] })
    expect(byName.cron!.build).toEqual({ state: 'skipped', reused: 'reused from web' })
    expect(byName.old!.build).toEqual({
      state: 'skipped',
      id: 'tool-buildpacks-pipelinerun-ab12c',
      reused: 'reused an earlier build'
    })
    expect(byName.old!.image).toEqual({
      full: `h/tool-x/old:latest@sha256:${DIGEST}`,
      short: 'old:latest@sha256:772632716c43…'
    })
    // Not in the builds map yet: not started, not done.
    expect(byName.api!.build).toEqual({ state: 'not-started' })
    expect(rows.map((row) => row.name)).toEqual(['api', 'cron', 'old', 'web'])
  })

  test("Toolforge's backticks become code, its [info](…) notes plain words, and restated texts go", () => {
    expect(richText('You can see the logs with `toolforge build logs x-1`, or not')).toEqual([
      { code: false, text: 'You can see the logs with ' },
      { code: true, text: 'toolforge build logs x-1' },
      { code: false, text: ', or not' }
    ])
    expect(richText('`toolforge build logs x-1`')).toEqual([{ code: true, text: 'toolforge build logs x-1' }])
    expect(richText('created or updated job web, [info](Job web created in storage and runtime)')).toEqual([
      { code: false, text: 'created or updated job web; info: Job web created in storage and runtime' }
    ])
    const d = deployment('failed', { web: 'failed' }, { web: 'skipped' })
    d.builds.web!.build_long_status = 'You can see the logs with `toolforge build logs web-build`'
    d.runs.web!.run_long_status = 'Skipped due to previous failure'
    expect(componentRows(d, undefined)[0]!.notes).toEqual([])
  })

  test('a build skipped for another reason is not called reused, and Toolforge says why', () => {
    const d = deployment('successful', {}, { job: 'successful' })
    d.builds.job = {
      build_id: 'no-build-needed',
      build_status: 'skipped',
      build_long_status: 'Not a build-service based job'
    }
    d.builds.api = { build_id: 'no-build-needed', build_status: 'skipped' }
    const [api, job] = componentRows(d, undefined)
    expect(job).toStrictEqual({
      name: 'job',
      build: { state: 'skipped' },
      run: { state: 'successful' },
      notes: [[{ code: false, text: 'Not a build-service based job' }]]
    })
    // Built, not yet run: its run is pending.
    expect(api).toStrictEqual({ name: 'api', build: { state: 'skipped' }, run: { state: 'pending' }, notes: [] })
  })

  /** The row of a skipped build about which Toolforge says `text`. */
  const skippedSaying = (text: string) => {
    const d = deployment('running', { web: 'skipped' }, { web: 'pending' })
    d.builds.web!.build_long_status = text
    return componentRows(d, undefined)[0]!
  }

  test('only a text that is wholly one the row restates is left out', () => {
    const notes = (text: string) => skippedSaying(text).notes.map((note) => note.map((part) => part.text).join(''))
    const restated = [
      'Not started yet',
      'Reusing existing build',
      'Component re-uses build from web',
      'Skipped due to previous failure',
      'You can see the logs with `toolforge build logs web-1`',
      ''
    ]
    for (const text of restated) expect([text, notes(text)]).toEqual([text, []])
    const kept = (more: string) => expect([more, notes(more)]).toEqual([more, [more.replaceAll('`', '')]])
    for (const text of restated.slice(0, -1)) kept(`Note: ${text}`)
    // The reuse text ends in a component's name, whatever it is.
    for (const text of restated.slice(0, -1).filter((text) => !text.startsWith('Component'))) kept(`${text}, twice`)
  })

  test('only a whole reuse text names where the image came from', () => {
    const reused = (text: string) => skippedSaying(text).build.reused
    expect(reused('Component re-uses build from web')).toBe('reused from web')
    expect(reused('The Component re-uses build from web')).toBeUndefined()
    expect(reused('Component re-uses build from web\nand more')).toBeUndefined()
    expect(reused('Reusing existing build')).toBe('reused an earlier build')
    expect(reused('Reusing existing build, twice')).toBeUndefined()
  })

  test('durations come from the observed timeline', () => {
    const d = deployment('successful', { web: 'successful' }, { web: 'successful' })
    const timeline = {
      startedAt: 0,
      observed: { startMs: 0, endMs: 10_000 },
      precisionMs: 2_000,
      components: { web: { build: { startMs: 1_000, endMs: 8_000 }, run: { startMs: 8_000, endMs: 10_000 } } }
    }
    const [row] = componentRows(d, timeline)
    expect(row!.build.ms).toBe(7_000)
    expect(row!.run.ms).toBe(2_000)
  })

  test('image references are shortened to their last part and a 12-digit digest', () => {
    expect(shortImage(`tools-harbor.wmcloud.org/tool-mytool/web:latest@sha256:${DIGEST}`)).toBe(
      'web:latest@sha256:772632716c43…'
    )
    expect(shortImage('tools-harbor.wmcloud.org/tool-mytool/web:latest')).toBe('web:latest')
    // Not a sha256 digest: shown as it is.
    expect(shortImage(`web:latest@sha256:${DIGEST}0`)).toBe(`web:latest@sha256:${DIGEST}0`)
  })
})
