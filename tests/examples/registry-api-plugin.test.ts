/**
 * The example plugin's own tests (examples/filon-plugin-registry-api/tests), run by the root suite
 * too: bunfig.toml's test root is tests/, and the example is a package of its own.
 */
import "../../examples/filon-plugin-registry-api/tests/SireneApi.test.ts"
