/** The action's version, as in package.json (a unit test keeps the two equal). */
export const VERSION = '1.0.0'

export const USER_AGENT = `toolforge-deploy-action/${VERSION} (+https://github.com/toolforge/deploy-action)`

export const CLI_USER_AGENT = `toolforge-deploy/${VERSION} (+https://github.com/toolforge/deploy-action)`
