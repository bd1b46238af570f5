/** A bad input: the message names the input, the value and what is accepted. */
export class InputError extends Error {
  constructor(
    readonly input: string,
    message: string
  ) {
    super(message)
    this.name = 'InputError'
  }
}

/** Every bad input of a run, told together: a user who mistyped three fixes them in one go. */
export class InputErrors extends InputError {
  constructor(readonly errors: InputError[]) {
    // One line for where one line goes (the reason output); each error for where they go one by one.
    super(errors[0]!.input, errors.map((error) => error.message).join(' '))
    this.name = 'InputErrors'
  }
}

/** A flag, or a way of calling the command, that is not one of its: the command's own bad input. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** How a front end names its inputs in messages: the action's inputs, or the CLI's flags. */
export interface InputNames {
  /** "Input 'tool'", "--tool": the subject of a message */
  label(name: string): string
  /** "'tool'", "--tool": what to set */
  ref(name: string): string
  /** Where the token comes from, for the message about an empty one. */
  tokenSource: string
  /** The token's variable is not set at all (the command tells that apart from empty). */
  tokenUnset?: boolean
}
