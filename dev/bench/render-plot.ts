/** `npm run bench:plot`: draws docs/bench-lag.svg again from dev/bench/results.json. */
import { readFileSync, writeFileSync } from 'node:fs'
import { renderPlot } from './plot.js'
import { PLOT, RESULTS, type PointResult } from './sweep.js'

writeFileSync(PLOT, renderPlot(JSON.parse(readFileSync(RESULTS, 'utf8')) as PointResult[]))
console.log(`wrote ${PLOT}`)
