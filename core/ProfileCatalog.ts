/**
 * The built-in profiles as `filon profiles` and `GET /profiles` list them: each with its description,
 * its planned steps and how many of them this registry can run.
 */
import * as Effect from "effect/Effect"
import { resolvePlan } from "./Plan.ts"
import { listProfileIds, loadProfile } from "./Profile.ts"
import type { RegistryShape } from "./Registry.ts"

export interface ProfileRow {
  readonly id: string
  readonly description: string
  readonly steps: ReadonlyArray<string>
  readonly available: number
}

export const listProfiles = (registry: RegistryShape) =>
  Effect.gen(function* () {
    const rows: ProfileRow[] = []
    for (const id of yield* listProfileIds()) {
      const plan = yield* resolvePlan(yield* loadProfile(id), registry)
      rows.push({
        id,
        description: plan.profile.description,
        steps: plan.nodes.map((node) => node.name),
        available: plan.nodes.length - plan.unavailable.length
      })
    }
    return rows
  })
