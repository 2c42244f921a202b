/** The fields `filon eval` scores. */
export const FIELDS = ["emails", "phones", "siren", "siret", "social"] as const
export type Field = (typeof FIELDS)[number]
