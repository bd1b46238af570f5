/**
 * Characters that show nothing, or that a terminal or a runner would act on: C0 controls
 * but tab and line ends, DEL, C1 controls, and Unicode format characters (zero-width
 * characters, bidirectional overrides and isolates, the soft hyphen, the byte order mark).
 * Server text loses them as it is parsed, before the redactor sees it: a secret with
 * them between its letters would otherwise pass the mask and close up later.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\p{Cf}]/gu

export function withoutInvisible(text: string): string {
  return text.replace(INVISIBLE, '')
}

/**
 * Markup that shows nothing: the `<wbr>` element, as written and HTML-escaped once or
 * twice (a page's text in a summary), and entities of invisible characters (soft hyphen,
 * zero-width space, joiners, word joiner).
 */
const INVISIBLE_MARKUP_SOURCE = [
  '(?:<|&lt;|&amp;lt;)wbr\\s*/?(?:>|&gt;|&amp;gt;)',
  '&(?:shy|ZeroWidthSpace|zwj|zwnj|NoBreak|#0*173|#x0*ad|#0*820[3-5]|#x0*200[b-d]|#0*8288|#x0*2060);'
].join('|')
const INVISIBLE_MARKUP = new RegExp(INVISIBLE_MARKUP_SOURCE, 'gi')
const MARKUP_PASSES = 8

/**
 * Text from a page or a git host, made as plain as API text: without invisible
 * characters or the markup that stands for them, which could split a secret into pieces
 * that no mask recognises and a reader's eye joins again.
 */
export function withoutInvisibleMarkup(text: string): string {
  let plain = withoutInvisible(text)
  // Markup nested in markup (`<w<wbr>br>`) comes out one layer a pass.
  for (let pass = 0; pass < MARKUP_PASSES; pass++) {
    const next = withoutInvisible(plain.replace(INVISIBLE_MARKUP, ''))
    if (next === plain) break
    plain = next
  }
  return plain
}

/**
 * What a reader's eye skips between two characters: white space (a wrapped line and its
 * indent), the ⏎ that stands for a flattened line end, the invisible characters and
 * markup, and the backticks between two code spans. The redactor allows these between a
 * secret's characters.
 */
const SKIPPED_CHARACTERS =
  '[\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f' +
  '\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff⏎`]'
export const SKIPPED_BETWEEN = `(?:${SKIPPED_CHARACTERS}|${INVISIBLE_MARKUP_SOURCE})*`

/**
 * Every line end a runner, terminal or editor may act on: CR LF, CR, LF, NEL (U+0085),
 * and the Unicode line and paragraph separators. A bare CR ends a line for the runner.
 */
export const LINE_ENDS = /\r\n|[\r\n\u0085\u2028\u2029]/g

/** Server text made one line: each line end shown as ⏎, and nothing invisible left. */
export function flatLine(text: string): string {
  return withoutInvisible(text.replace(LINE_ENDS, ' ⏎ '))
}
