import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { runAction } from '../../dev/support/run-bundle.js'
import { runCli } from '../../dev/support/run-cli.js'
import { tokenForms } from '../../dev/support/leaks.js'
import { startEchoServer } from '../helpers/echo-server.js'
import { expectNoToken } from '../helpers/leaks.js'

const TOKENS = ['0f8d2c4e-5b6a-4e1f-9a3b-7c2d1e0f9a8b', 'k3J_9xQ.v~Z-0aB7', 'Wr0ng.t0k_en~x-9f8e']

describe('a server that echoes the token in every form, through every channel', () => {
  test.concurrent.each(TOKENS)(
    'the action shows none of %s: log, debug log, annotations, outputs, summary',
    async (token) => {
      const server = await startEchoServer()
      try {
        const run = await runAction({
          inputs: { tool: 'mytool', token, 'api-url': server.url },
          env: { RUNNER_DEBUG: '1' }
        })
        expect(run.code).toBe(1)
        expect(run.annotations.filter((a) => a.kind === 'error').length).toBeGreaterThanOrEqual(2)
        expect(run.summary).toContain('Toolforge')
        expect(run.outputs.deployment).toContain('"status":"failed"')
        expect(run.stdout).toContain('::debug::')
        expect(tokenForms(token).length).toBeGreaterThanOrEqual(10)
        expectNoToken(run.everything, token)
      } finally {
        await server.close()
      }
    }
  )

  test.concurrent.each(TOKENS)(
    'the command shows none of %s: stdout, stderr, --json, --dotenv, --verbose',
    async (token) => {
      const server = await startEchoServer()
      const dotenv = join(mkdtempSync(join(tmpdir(), 'echo-')), 'deploy.env')
      try {
        for (const extra of [['--json', '--dotenv', dotenv, '--verbose'], []]) {
          const run = await runCli(['--tool', 'mytool', '--api-url', server.url, ...extra], {
            env: { TOOLFORGE_DEPLOY_TOKEN: token, NO_COLOR: '' }
          })
          expect(run.code).toBe(1)
          expectNoToken(run.stdout + run.stderr, token)
        }
        expectNoToken(readFileSync(dotenv, 'utf8'), token)
      } finally {
        await server.close()
      }
    }
  )
})

describe('a 409 whose message is made to act on a terminal or a log', () => {
  // ESC, BEL, C1, carriage return and bidirectional overrides: none reaches a screen.
  // eslint-disable-next-line no-control-regex
  const ACTED_ON = /[\u0007\u001b\r\u0080-\u009f\u202a-\u202e\u2066-\u2069]/

  test.concurrent(
    'the command writes none of it, on stdout, stderr or --json, and masks the token that came with it',
    async () => {
      const server = await startEchoServer({ conflict: true })
      try {
        for (const extra of [[], ['--json', '--verbose']]) {
          const run = await runCli(['--tool', 'mytool', '--api-url', server.url, '--on-conflict', 'fail', ...extra], {
            env: { TOOLFORGE_DEPLOY_TOKEN: TOKENS[0]!, NO_COLOR: '1' }
          })
          expect(run.code).toBe(4)
          expect((run.stdout + run.stderr).replace(/\s+/g, ' ')).toContain("There's already 1 running")
          expect(ACTED_ON.test(run.stdout + run.stderr)).toBe(false)
          expectNoToken(run.stdout + run.stderr, TOKENS[0]!)
        }
      } finally {
        await server.close()
      }
    }
  )

  test.concurrent('the action writes none of it, in the log, annotations or summary', async () => {
    const server = await startEchoServer({ conflict: true })
    try {
      const run = await runAction({
        inputs: { tool: 'mytool', token: TOKENS[1]!, 'api-url': server.url, 'on-conflict': 'fail' }
      })
      expect(run.code).toBe(1)
      expect(ACTED_ON.test(run.stdout + run.summary)).toBe(false)
      expectNoToken(run.everything, TOKENS[1]!)
    } finally {
      await server.close()
    }
  })
})
