/**
 * `enrich.registry`: each company's legal unit as the live register knows it today, which the
 * monthly stock files may not yet show: closed since the stock, social-economy (ESS) and
 * société-à-mission status, association number, employer. One request per company, paced under the
 * key's quota; a lookup that fails leaves the company's registry_* fields empty, with the reason in
 * `registry_lookup`.
 */
import {
  type BudgetExceeded,
  Context,
  defineStep,
  Effect,
  HttpFetcher,
  type HttpFetcherShape,
  Layer,
  pace,
  type Rec,
  type StepService,
  Stream
} from "filon/core/sdk.ts"
import { type Lookup, lookupLegalUnit, noKey, type RegistryApiUnusable } from "./SireneApi.ts"
import { type Connection, connectionOf, EnrichRegistryConfig, type RegistryApiSettings } from "./settings.ts"

/** Requests under one key share one pace, whatever the number of runs in the process. */
const PACE_KEY = "insee-api-sirene"

const EMPTY = {
  registry_state: null,
  registry_closed_on: null,
  registry_updated_at: null,
  registry_ess: null,
  registry_mission_company: null,
  registry_association_id: null,
  registry_employer: null
}

/** The fields one lookup gives a record. */
export const fieldsOf = (lookup: Lookup) => {
  switch (lookup._tag) {
    case "Found": {
      const { facts } = lookup
      return {
        registry_lookup: "ok",
        registry_state: facts.state,
        registry_closed_on: facts.closedOn,
        registry_updated_at: facts.updatedAt,
        registry_ess: facts.ess,
        registry_mission_company: facts.missionCompany,
        registry_association_id: facts.associationId,
        registry_employer: facts.employer
      }
    }
    case "NotFound":
      return { registry_lookup: "not_found", ...EMPTY }
    case "NotDiffusible":
      return { registry_lookup: "not_diffusible", ...EMPTY }
    case "Failed":
      return { registry_lookup: "failed", ...EMPTY }
  }
}

/** The SIREN to look up: the record's own, else the first nine digits of its SIRET. */
export const sirenOf = (record: Rec): string | undefined => {
  const siren = typeof record.siren === "string" ? record.siren : String(record.siret ?? "").slice(0, 9)
  return /^\d{9}$/.test(siren) ? siren : undefined
}

/** Adds the registry fields to one record. */
export const makeEnricher = (fetcher: HttpFetcherShape, connection: Connection, requestsPerMinute: number) => {
  const tally = { looked_up: 0, failed: 0 }
  const enrich = (record: Rec): Effect.Effect<Rec, RegistryApiUnusable | BudgetExceeded> => {
    const siren = sirenOf(record)
    if (siren === undefined) return Effect.succeed({ ...record, registry_lookup: "no_siren", ...EMPTY })
    return pace(PACE_KEY, requestsPerMinute / 60).pipe(
      Effect.zipRight(lookupLegalUnit(fetcher, connection, siren)),
      Effect.map((lookup) => {
        tally.looked_up++
        if (lookup._tag === "Failed") tally.failed++
        return { ...record, ...fieldsOf(lookup) }
      })
    )
  }
  return { enrich, tally }
}

export class EnrichRegistry extends Context.Tag("plugin/registry-api/EnrichRegistry")<
  EnrichRegistry,
  StepService<EnrichRegistryConfig>
>() {
  /** The service for the plugin's settings (the layer `definePlugin` builds per run). */
  static readonly layer = (settings: RegistryApiSettings) =>
    Layer.effect(
      EnrichRegistry,
      Effect.gen(function* () {
        const fetcher = yield* HttpFetcher
        const connection = yield* connectionOf(settings)
        const run: StepService<EnrichRegistryConfig>["run"] = (input, context) =>
          Stream.unwrap(
            Effect.gen(function* () {
              // Without a key nothing can be looked up: bad settings, refused before the first company.
              if (connection.key._tag === "None") return yield* noKey()
              const { enrich, tally } = makeEnricher(fetcher, connection, context.config.requests_per_minute)
              yield* context.log("looking legal units up", { base_url: connection.baseUrl })
              return Stream.mapEffect(input, enrich, { concurrency: context.config.concurrency }).pipe(
                // Read once the stream has ended, when the tally is complete.
                Stream.ensuring(
                  Effect.suspend(() =>
                    Effect.all([
                      context.measure("registry_lookups", tally.looked_up),
                      context.measure("registry_lookups_failed", tally.failed)
                    ])
                  )
                )
              )
            })
          )
        return { run }
      })
    )
}

export const enrichRegistry = defineStep({
  id: "enrich.registry",
  description: "Each company's legal unit as the live INSEE register knows it today (API Sirene 3.11).",
  kind: "transform",
  needs: ["normalize.standardize"],
  reads: { siren: { type: "string", description: "SIREN of the legal unit" } },
  writes: {
    registry_lookup: {
      type: "string",
      description: "How the lookup went: ok, not_found, not_diffusible, no_siren or failed"
    },
    registry_state: { type: "string", description: "active or closed, as the live register says" },
    registry_closed_on: { type: "date", description: "When the legal unit closed" },
    registry_updated_at: { type: "datetime", description: "When INSEE last processed the legal unit" },
    registry_ess: { type: "boolean", description: "Part of the social and solidarity economy (ESS)" },
    registry_mission_company: { type: "boolean", description: "Société à mission" },
    registry_association_id: { type: "string", description: "RNA number, for an association" },
    registry_employer: { type: "boolean", description: "Has employees (caractère employeur)" }
  },
  config: EnrichRegistryConfig,
  tag: EnrichRegistry
})
