/** How the benchmark writes a time given in milliseconds. */

/** Two decimals, for a table cell whose heading gives the unit: 0.42. */
export const secondsFigure = (ms: number) => (ms / 1000).toFixed(2)
/** Two decimals with the unit, for verdicts and the tables of the virtual-time pollers: 0.42 s. */
export const seconds = (ms: number) => `${secondsFigure(ms)} s`
/** As short as it is exact, for the prose that reads the engine's constants: 3.2, 0.15, 2.003. */
export const exactSeconds = (ms: number) => String(ms / 1000)
