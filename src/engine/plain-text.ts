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
 * What a reader's eye skips between two characters: white space (a wrapped line and its
 * indent), the ⏎ that stands for a flattened line end, and the invisible characters. The
 * redactor allows these between a secret's characters.
 */
export const SKIPPED_BETWEEN = '[\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff⏎]*'
