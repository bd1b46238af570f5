import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { locateRealApi } from '../../dev/support/prerequisites.js'
import { ROOT } from '../../dev/support/project-root.js'
import { checkConfigText } from '../../src/settings/config-file.js'
import { toolName, useRealApi } from '../helpers/real-api.js'

const CORPUS = join(ROOT, 'dev', 'fixtures', 'configs')
const files = readdirSync(CORPUS).sort()
const where = locateRealApi()
/** The file as the server's own YAML parser reads it (PyYAML, as for a `source_url`), or undefined when it cannot. */
function asServerReadsIt(text: string): unknown {
  if (where.kind === 'none') throw new Error(where.reason)
  const read = spawnSync(
    where.python,
    ['-c', 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    { input: text, encoding: 'utf8' }
  )
  return read.status === 0 ? JSON.parse(read.stdout) : undefined
}

describe('checking a components config: the action and the real server agree', () => {
  const api = useRealApi()

  test('the corpus has at least ten configs, valid and invalid', () => {
    expect(files.length).toBeGreaterThanOrEqual(10)
    expect(files.filter((f) => f.startsWith('valid-')).length).toBeGreaterThanOrEqual(4)
    expect(files.filter((f) => f.startsWith('invalid-')).length).toBeGreaterThanOrEqual(10)
  })

  test.each(files)('%s', async (file) => {
    const text = readFileSync(join(CORPUS, file), 'utf8')
    const ours = checkConfigText(text, file)
    const config = asServerReadsIt(text)
    // Every refusal points at a line of the file.
    for (const problem of ours.errors) expect(problem.line).toBeGreaterThan(0)
    if (config === undefined) {
      // Not YAML for the server's parser either: nothing it could be sent.
      expect([file, ours.errors.length]).toEqual([file, 1])
      return
    }
    const answer = await api().asMaintainer(toolName('config'), 'POST', '/config', config)
    expect([file, answer.status]).toEqual([file, ours.errors.length === 0 ? 200 : 422])
    expect(file.startsWith('valid-')).toBe(answer.status === 200)
    // The keys it would skip are the ones the server warns of.
    const skipped = (answer.body.messages?.warning ?? []).flatMap(
      (w) => /^Unknown field (\S+), skipped$/.exec(w)?.[1] ?? []
    )
    expect(ours.warnings.map((w) => w.message.split(':')[0])).toEqual(skipped)
  })
})
