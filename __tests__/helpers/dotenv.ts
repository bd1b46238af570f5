/** What the dotenv file writes for each character a later job's shell or GitLab would act on. */
const LOOK_ALIKE: Record<string, string> = { '"': '”', "'": '’', '`': '’', $: '＄', '#': '＃', '\\': '∖' }

/** A one-line output's value as the dotenv file holds it. */
export const asDotenv = (value: string) => value.replace(/["'`$#\\]/g, (c) => LOOK_ALIKE[c]!).trim()
