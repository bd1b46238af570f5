import mermaid from 'mermaid'

export { renderGfm } from '../../dev/demo/gfm.js'

/** Each table of the HTML, as rows of cell counts. */
export function tableShapes(html: string): number[][] {
  return [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map(([, table]) =>
    [...table!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) => (row!.match(/<t[hd][ >]/g) ?? []).length)
  )
}

export interface GanttTask {
  task: string
  section: string
  start: number
  end: number
}

/** The tasks of each Mermaid gantt chart in the Markdown, as Mermaid itself compiles them. */
export async function ganttCharts(markdown: string): Promise<GanttTask[][]> {
  const charts: GanttTask[][] = []
  for (const [, source] of markdown.matchAll(/```mermaid\n([\s\S]*?)```/g)) {
    await mermaid.parse(source!)
    const diagram = (await mermaid.mermaidAPI.getDiagramFromText(source!)) as unknown as {
      db: { getTasks(): Array<{ task: string; section: string; startTime: Date; endTime: Date }> }
    }
    charts.push(
      diagram.db.getTasks().map((t) => ({
        task: t.task.trim(),
        section: t.section,
        start: t.startTime.valueOf(),
        end: t.endTime.valueOf()
      }))
    )
  }
  return charts
}
