/**
 * A stand-in for INSEE API Sirene 3.11 on 127.0.0.1, answering `GET /api-sirene/3.11/siren/{siren}`
 * with the documented JSON shapes: 200 `{ header, uniteLegale }` (every field of a legal unit and
 * its periods, `[ND]` for values hidden by partial diffusion), 404 and 403 with INSEE's `header`,
 * and 401 without the expected key. Which answer a SIREN gets is the test's choice.
 */

export interface UnitFixture {
  /** Administrative state of the current period. */
  readonly state: "A" | "C"
  /** Start of the current period (the closing day of a closed unit). */
  readonly since: string
  readonly ess?: "O" | "N" | null
  readonly mission?: "O" | "N" | null
  readonly employer?: "O" | "N" | null
  readonly association?: string | null
  /** "P": partial diffusion, personal values answered as `[ND]`. @default "O" */
  readonly diffusion?: "O" | "P"
  readonly updatedAt?: string
}

export type StubAnswer = UnitFixture | "not_found" | "not_diffusible" | { readonly status: number }

export interface SireneStub {
  readonly baseUrl: string
  /** Every request received: the SIREN asked for and the key sent. */
  readonly requests: Array<{ readonly siren: string; readonly key: string | null }>
  readonly stop: () => Promise<void>
}

const inseeHeader = (statut: number, message: string) => ({ header: { statut, message } })

/** A legal unit as API Sirene 3.11 answers it. */
export const legalUnitBody = (siren: string, unit: UnitFixture) => {
  const hidden = unit.diffusion === "P"
  return {
    ...inseeHeader(200, "OK"),
    uniteLegale: {
      siren,
      statutDiffusionUniteLegale: unit.diffusion ?? "O",
      unitePurgeeUniteLegale: null,
      dateCreationUniteLegale: "2015-03-02",
      sigleUniteLegale: null,
      sexeUniteLegale: hidden ? "[ND]" : null,
      prenom1UniteLegale: hidden ? "[ND]" : null,
      prenom2UniteLegale: null,
      prenom3UniteLegale: null,
      prenom4UniteLegale: null,
      prenomUsuelUniteLegale: hidden ? "[ND]" : null,
      pseudonymeUniteLegale: null,
      identifiantAssociationUniteLegale: unit.association ?? null,
      trancheEffectifsUniteLegale: "11",
      anneeEffectifsUniteLegale: "2023",
      dateDernierTraitementUniteLegale: unit.updatedAt ?? "2025-01-15T09:12:44.000",
      nombrePeriodesUniteLegale: 2,
      categorieEntreprise: "PME",
      anneeCategorieEntreprise: "2023",
      periodesUniteLegale: [
        {
          dateFin: null,
          dateDebut: unit.since,
          etatAdministratifUniteLegale: unit.state,
          changementEtatAdministratifUniteLegale: unit.state === "C",
          nomUniteLegale: hidden ? "[ND]" : null,
          changementNomUniteLegale: false,
          nomUsageUniteLegale: null,
          changementNomUsageUniteLegale: false,
          denominationUniteLegale: "STUB CONSEIL",
          changementDenominationUniteLegale: false,
          denominationUsuelle1UniteLegale: null,
          denominationUsuelle2UniteLegale: null,
          denominationUsuelle3UniteLegale: null,
          changementDenominationUsuelleUniteLegale: false,
          categorieJuridiqueUniteLegale: "5710",
          changementCategorieJuridiqueUniteLegale: false,
          activitePrincipaleUniteLegale: "62.02A",
          nomenclatureActivitePrincipaleUniteLegale: "NAFRev2",
          changementActivitePrincipaleUniteLegale: false,
          nicSiegeUniteLegale: "00015",
          changementNicSiegeUniteLegale: false,
          economieSocialeSolidaireUniteLegale: unit.ess ?? null,
          changementEconomieSocialeSolidaireUniteLegale: false,
          societeMissionUniteLegale: unit.mission ?? null,
          changementSocieteMissionUniteLegale: false,
          caractereEmployeurUniteLegale: unit.employer ?? null,
          changementCaractereEmployeurUniteLegale: false
        },
        {
          dateFin: "2015-03-01",
          dateDebut: "2010-06-01",
          etatAdministratifUniteLegale: "A",
          changementEtatAdministratifUniteLegale: false,
          denominationUniteLegale: "STUB CONSEIL ANCIEN NOM",
          categorieJuridiqueUniteLegale: "5499",
          activitePrincipaleUniteLegale: "62.01Z",
          nomenclatureActivitePrincipaleUniteLegale: "NAFRev2",
          nicSiegeUniteLegale: "00015",
          economieSocialeSolidaireUniteLegale: "N",
          societeMissionUniteLegale: "N",
          caractereEmployeurUniteLegale: "N"
        }
      ]
    }
  }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json;charset=utf-8" } })

/** Starts the stub; `answer` decides what each SIREN gets, `key` is the only key accepted. */
export const startSireneStub = (key: string, answer: (siren: string) => StubAnswer): SireneStub => {
  const requests: Array<{ siren: string; key: string | null }> = []
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) => {
      const match = /^\/api-sirene\/3\.11\/siren\/([^/]+)$/.exec(new URL(request.url).pathname)
      if (!match) return json(404, { message: "No context-path matches the request URI." })
      const sent = request.headers.get("x-insee-api-key-integration")
      const siren = match[1]!
      requests.push({ siren, key: sent })
      if (sent !== key) return json(401, { httpCode: 401, message: "Unauthorized" })
      if (!/^\d{9}$/.test(siren)) return json(400, inseeHeader(400, `Numéro Siren invalide ${siren}`))
      const chosen = answer(siren)
      if (chosen === "not_found") return json(404, inseeHeader(404, `Aucun élément trouvé pour le siren ${siren}`))
      if (chosen === "not_diffusible") return json(403, inseeHeader(403, "Unité légale non diffusable"))
      if ("status" in chosen) return json(chosen.status, inseeHeader(chosen.status, "Erreur du serveur"))
      return json(200, legalUnitBody(siren, chosen))
    }
  })
  return {
    baseUrl: `http://127.0.0.1:${server.port}/api-sirene/3.11`,
    requests,
    stop: () => server.stop(true)
  }
}

/**
 * The answers the example job's test expects, from the SIREN's last digit: 0 unknown, 1 closed,
 * 2 an ESS association, 3 not diffusible, 4 société à mission with partial diffusion, else active.
 */
export const answerByLastDigit = (siren: string): StubAnswer => {
  switch (siren.at(-1)) {
    case "0":
      return "not_found"
    case "1":
      return { state: "C", since: "2025-03-31", employer: "N" }
    case "2":
      return { state: "A", since: "2016-01-01", ess: "O", association: `W${siren}`, employer: "O" }
    case "3":
      return "not_diffusible"
    case "4":
      return { state: "A", since: "2019-09-01", mission: "O", diffusion: "P", employer: "O" }
    default:
      return { state: "A", since: "2015-03-02", ess: "N", mission: "N", employer: "O" }
  }
}
