/**
 * `npm run conformance -- [openapi.yaml]`: checks the simulator's answers, for every
 * scenario and moment, against the schemas of the Components API's OpenAPI document
 * (by default the one beside this project in ../shared, or in the checkout of
 * `npm run real-api:setup`). A tool, not a test: the document is not part of the project.
 */
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { parse } from 'yaml'
import { SimulatedApi } from './api.js'
import { SCENARIO_NAMES } from './scenarios.js'
import { cannotRun, openApiDocument } from '../support/prerequisites.js'

const specPath =
  process.argv[2] ??
  openApiDocument() ??
  cannotRun(
    'npm run conformance',
    "the Components API's OpenAPI document: pass its path (npm run conformance -- openapi.yaml), or fetch it with npm run real-api:setup"
  )
const spec = parse(readFileSync(specPath, 'utf8')) as { components: unknown }

// `nullable` is OpenAPI 3.0 vocabulary, not JSON Schema; 3.1 documents carry it as a note.
const withoutNullable = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(withoutNullable)
  if (node === null || typeof node !== 'object') return node
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key]) => key !== 'nullable')
      .map(([key, value]) => [key, withoutNullable(value)])
  )
}

const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats.default(ajv)
ajv.addSchema({ $id: 'spec', components: withoutNullable(spec.components) })
const schema = (name: string) => ajv.getSchema(`spec#/components/schemas/${name}`)!

const TOKEN = 'conformance'
let failures = 0
let checked = 0
/** Whether the body fits the schema; a misfit is counted and shown, unless `expected`. */
function check(what: string, name: string, body: string, expected = false): boolean {
  const validate = schema(name)
  checked += 1
  if (validate(JSON.parse(body))) return true
  if (!expected && ++failures <= 10) console.log(`✖ ${what}: ${ajv.errorsText(validate.errors)}`)
  return false
}

for (const scenario of SCENARIO_NAMES) {
  let now = Date.parse('2026-11-28T10:00:00Z')
  const api = new SimulatedApi({ token: TOKEN, scenario, now: () => now })
  const created = api.handle({
    method: 'POST',
    url: `/components/v1/tool/demo/deployment?token=${TOKEN}`,
    headers: {},
    body: '{"description":"x"}'
  })
  check(`${scenario}: create`, 'ApiResponse_Deployment_', created.body)
  const id = (JSON.parse(created.body) as { data: { deploy_id: string } }).data.deploy_id
  // The unknown-status scenario exists to send a status outside the enum, on purpose.
  const expected = scenario === 'unknown-status'
  let invalid = 0
  for (let t = 0; t <= 20_000; t += 100, now += 100) {
    const body = api.handle({
      method: 'GET',
      url: `/components/v1/tool/demo/deployment/${id}?token=${TOKEN}`,
      headers: {},
      body: ''
    }).body
    if (!check(`${scenario} at ${t} ms`, 'ApiResponse_Deployment_', body, expected)) invalid += 1
  }
  console.log(
    `${invalid === 0 ? '✔' : expected ? '•' : '✖'} ${scenario}: ${invalid} of 201 status answers outside the schema${expected ? ' (on purpose)' : ''}`
  )
}
const api = new SimulatedApi({ token: TOKEN })
check(
  '422',
  'HTTPValidationError',
  api.handle({ method: 'POST', url: `/components/v1/tool/demo/deployment?token=${TOKEN}`, headers: {}, body: '{bad' })
    .body
)
check(
  'healthz',
  'ApiResponse_HealthState_',
  api.handle({ method: 'GET', url: '/components/v1/healthz', headers: {}, body: '' }).body
)
check(
  'the action’s request body',
  'DeploymentCreateRequest',
  JSON.stringify({ description: 'Deployed by GitHub Actions' })
)
console.log(
  `${checked} answers checked against ${specPath}; ${failures} outside the schema (the unknown-status scenario's own answers aside)`
)
process.exitCode = failures > 0 ? 1 : 0
