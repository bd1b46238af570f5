import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'

let validate: ValidateFunction | undefined

/** What GitLab's own CI schema says is wrong with a parsed .gitlab-ci.yml (nothing: []). */
export function gitlabErrors(pipeline: unknown): ErrorObject[] {
  if (!validate) {
    const require = createRequire(import.meta.url)
    const schemaPath = require.resolve('schemastore/schemas/json/gitlab.com/gitlab-org/gitlab/-/raw/master/app/assets/javascripts/editor/schema/ci.json')
    const ajv = new Ajv({ strict: false, allErrors: true })
    addFormats.default(ajv)
    validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object)
  }
  validate(pipeline)
  return validate.errors ?? []
}
