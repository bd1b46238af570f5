/**
 * The mutation score of each mutated file, from Stryker's JSON report, against the bar
 * its folder must clear: the engine decides what the action does, so its unit tests must
 * notice nearly any change to it; what is said about a deployment has more text whose
 * exact wording no test needs to pin.
 */
export const REQUIRED_SCORE: ReadonlyArray<[folder: string, percent: number]> = [
  ['src/engine/', 90],
  ['src/report/', 80],
  ['src/settings/', 80]
]

interface Mutant {
  status: string
}
export interface MutationReport {
  files: Record<string, { mutants: Mutant[] }>
}

export interface FileScore {
  file: string
  killed: number
  survived: number
  /** Killed (a test failed or timed out) over every mutant that ran or had no test. */
  percent: number
  required: number
}

const DETECTED = new Set(['Killed', 'Timeout'])
const UNDETECTED = new Set(['Survived', 'NoCoverage'])

export function scoreByFile(report: MutationReport, root: string): FileScore[] {
  return Object.entries(report.files)
    .map(([path, { mutants }]) => {
      const file = path.startsWith(root) ? path.slice(root.length).replace(/^\//, '') : path
      const killed = mutants.filter((m) => DETECTED.has(m.status)).length
      const survived = mutants.filter((m) => UNDETECTED.has(m.status)).length
      const total = killed + survived
      const required = REQUIRED_SCORE.find(([folder]) => file.startsWith(folder))?.[1] ?? 0
      return { file, killed, survived, percent: total === 0 ? 100 : (100 * killed) / total, required }
    })
    .sort((a, b) => a.file.localeCompare(b.file))
}

/** A Markdown table of the scores, files under their bar marked. */
export function scoreTable(scores: FileScore[]): string {
  const rows = scores.map(
    (s) =>
      `| ${s.file} | ${s.percent.toFixed(1)} % | ${s.killed} | ${s.survived} | ${s.required} %${s.percent < s.required ? ' ✗' : ''} |`
  )
  return ['| file | score | killed | survived | required |', '| --- | --- | --- | --- | --- |', ...rows].join('\n')
}
