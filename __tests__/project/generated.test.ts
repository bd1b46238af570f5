import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { parse } from 'yaml'
import { COMPONENT_FILE, generatedFiles } from '../../dev/support/generate.js'
import { ROOT } from '../../dev/support/project-root.js'
import { OPTIONS, USAGE } from '../../src/cli/args.js'
import { INPUTS } from '../../src/settings/input-table.js'

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')

describe('one table of inputs', () => {
  test('every file it writes is as it writes it (run npm run generate)', () => {
    for (const [path, text] of Object.entries(generatedFiles()))
      expect([path, read(path) === text]).toEqual([path, true])
  })

  test('the action, the GitLab component and the command offer every input, with the same default', () => {
    const action = parse(read('action.yml')) as { inputs: Record<string, { default?: string }> }
    const component = (
      parse(read(COMPONENT_FILE).split('\n---\n')[0]!) as { spec: { inputs: Record<string, { default?: unknown }> } }
    ).spec.inputs
    expect(Object.keys(action.inputs)).toEqual(INPUTS.map((input) => input.name))
    for (const input of INPUTS) {
      if (input.kind === 'secret') {
        // The token is a masked CI/CD variable in GitLab and an environment variable for the command, never an input or a flag.
        expect([input.name, component[input.name], OPTIONS[input.name]]).toEqual([
          input.name,
          undefined,
          { type: 'string' }
        ])
        continue
      }
      // The component names the job's environment after the tool: its tool is the project's unless given.
      const componentDefault = input.component?.default ?? input.default
      expect([input.name, String(component[input.name]?.default)]).toEqual([input.name, componentDefault])
      if (input.name !== 'tool')
        expect([input.name, action.inputs[input.name]?.default]).toEqual([input.name, input.default])
      const flag = `${input.flag?.negated ? 'no-' : ''}${input.name}`
      expect([flag, OPTIONS[flag] !== undefined, USAGE.includes(`--${flag}`)]).toEqual([flag, true, true])
    }
  })
})
