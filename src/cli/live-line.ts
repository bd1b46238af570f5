import type { Terminal } from './terminal.js'

const CLEAR = '\r\x1b[2K'
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/**
 * One status line at the bottom of a terminal, redrawn in place every second so that a
 * long build visibly goes on; the normal lines print above it. Only on a terminal: in a
 * CI log or a pipe, it does nothing.
 */
export class LiveLine {
  private text: string | undefined
  private frame = 0
  private timer: NodeJS.Timeout | undefined
  private readonly active: boolean

  constructor(
    private readonly stream: Terminal['err'],
    private readonly describe: () => string | undefined
  ) {
    this.active = stream.isTTY === true
  }

  start(): void {
    if (!this.active || this.timer) return
    this.timer = setInterval(() => this.draw(), 1_000)
    this.timer.unref()
  }

  private draw(): void {
    this.text = this.describe()
    if (!this.text) return
    const width = Math.max(20, (this.stream.columns ?? 80) - 1)
    const line = `${FRAMES[this.frame++ % FRAMES.length]} ${this.text}`
    this.stream.write(`${CLEAR}${[...line].slice(0, width).join('')}`)
  }

  /** Prints a normal line: the live line steps aside and comes back under it. */
  around(print: () => void): void {
    if (!this.active || !this.text) return print()
    this.stream.write(CLEAR)
    print()
    this.draw()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    if (this.active && this.text) this.stream.write(CLEAR)
    this.text = undefined
  }
}
