/**
 * NAF activity codes and labels. Labels of NAF rév. 2 come from `@socialgouv/codes-naf` (INSEE's
 * list: 21 sections… 732 sub-classes, keyed "62.02A"); no maintained npm package carries NAF 2025
 * labels yet, so `naf25_label` stays null rather than borrowing a rév. 2 label for a code whose
 * meaning may have changed.
 */
import codesNaf from "@socialgouv/codes-naf/index.json"
import { field, type RawEstablishment } from "./raw.ts"

/** The activity of one establishment; null when unknown. */
export interface Naf {
  /** NAF rév. 2 code of the establishment ("62.02A"). */
  readonly naf: string | null
  readonly naf_label: string | null
  /** NAF 2025 code of the establishment, as INSEE gives it. */
  readonly naf25: string | null
  readonly naf25_label: string | null
}

/** The value of `nomenclatureActivitePrincipale*` for NAF rév. 2 (older rows say NAFRev1, NAF1993 or NAP). */
export const NAF_REV2 = "NAFRev2"

const NAF_LABELS: ReadonlyMap<string, string> = new Map(codesNaf.map((entry) => [entry.id, entry.label]))

/** The French label of a NAF rév. 2 code at any level ("62", "62.0", "62.02", "62.02A"); null when unknown. */
export const nafLabel = (code: string | null): string | null => (code === null ? null : (NAF_LABELS.get(code) ?? null))

/**
 * The establishment's activity. `naf` is `activitePrincipaleEtablissement` only when
 * `nomenclatureActivitePrincipaleEtablissement` is NAFRev2: codes of older nomenclatures look alike
 * ("70.2C", "64.42") but mean something else. `naf25` is `activitePrincipaleNAF25Etablissement`
 * as is (INSEE fills it from December 2025; APE in NAF 2025 from 1 January 2027).
 */
export const nafOf = (raw: RawEstablishment): Naf => {
  const naf =
    field(raw, "nomenclatureActivitePrincipaleEtablissement") === NAF_REV2
      ? field(raw, "activitePrincipaleEtablissement")
      : null
  return {
    naf,
    naf_label: nafLabel(naf),
    naf25: field(raw, "activitePrincipaleNAF25Etablissement"),
    naf25_label: null
  }
}
