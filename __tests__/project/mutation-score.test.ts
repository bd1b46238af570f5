import { describe, expect, test } from '@jest/globals'
import { scoreByFile, scoreTable } from '../../dev/mutation/mutation-score.js'

const mutants = (statuses: Record<string, number>) =>
  Object.entries(statuses).flatMap(([status, n]) => Array.from({ length: n }, () => ({ status })))

describe('the mutation score per file', () => {
  const report = {
    files: {
      '/repo/src/report/summary.ts': {
        mutants: mutants({ Killed: 7, Timeout: 1, Survived: 1, NoCoverage: 1, CompileError: 5, Ignored: 3 })
      },
      '/repo/src/engine/deploy.ts': { mutants: mutants({ Killed: 17, Survived: 3 }) }
    }
  }

  test('counts timeouts as killed, no coverage as survived, and leaves out mutants that never ran', () => {
    expect(scoreByFile(report, '/repo')).toEqual([
      { file: 'src/engine/deploy.ts', killed: 17, survived: 3, percent: 85, required: 90 },
      { file: 'src/report/summary.ts', killed: 8, survived: 2, percent: 80, required: 80 }
    ])
  })

  test('marks a file under the bar of its folder', () => {
    expect(scoreTable(scoreByFile(report, '/repo')).split('\n').slice(2)).toEqual([
      '| src/engine/deploy.ts | 85.0 % | 17 | 3 | 90 % ✗ |',
      '| src/report/summary.ts | 80.0 % | 8 | 2 | 80 % |'
    ])
  })
})
