/** The bundle's entry point (`bun run build`): the command line, run on import. */
import { runFromArgv } from "./main.ts"

// No top-level await: the bundle is CommonJS (for its bytecode), and the process waits for the run anyway.
void runFromArgv()
