/** Which candidate place is the company: name and postcode/city, namesakes elsewhere rejected. */
import { describe, expect, test } from "bun:test"
import { cityKey, matchPlace, nameSimilarity } from "../../../plugins/places/matchPlace.ts"
import type { CompanyQuery, PlaceCandidate } from "../../../plugins/places/PlacesProvider.ts"

const place = (placeId: string, name: string, postcode: string, city: string): PlaceCandidate => ({
  placeId,
  name,
  address: `1 Rue X, ${postcode} ${city}, France`,
  postcode,
  city,
  location: null
})

const company = (names: string[], postcode: string | null, city: string | null): CompanyQuery => ({
  names,
  address: null,
  postcode,
  city
})

describe("matchPlace", () => {
  test("the same name in another city is not the company", () => {
    const match = matchPlace(
      company(["BOULANGERIE DUPONT"], "75002", "PARIS 2"),
      [place("lyon", "Boulangerie Dupont", "69002", "Lyon")],
      0.6
    )
    expect(match).toBeNull()
  })

  test("a chain with several places: the one at the company's postcode", () => {
    const match = matchPlace(
      company(["CARREFOUR CITY"], "75011", "PARIS 11"),
      [
        place("p2", "Carrefour City", "75002", "Paris"),
        place("p11", "Carrefour City", "75011", "Paris"),
        place("lyon", "Carrefour City", "69002", "Lyon")
      ],
      0.6
    )
    expect(match?.candidate.placeId).toBe("p11")
    expect(match?.confidence).toBe(1)
  })

  test("a weak name is rejected even at the right postcode; legal forms and accents do not count", () => {
    expect(
      matchPlace(company(["ACME SAS"], "75002", null), [place("x", "Café de la Paix", "75002", "Paris")], 0.6)
    ).toBeNull()
    expect(nameSimilarity("SOCIETE DES ÉTABLISSEMENTS MÉTIVIER SARL", "Métivier")).toBeGreaterThanOrEqual(0.9)
  })

  test("the same city under another postcode still matches, less surely", () => {
    const match = matchPlace(
      company(["Garage Martin"], "69006", "LYON 6"),
      [place("l", "Garage Martin", "69002", "Lyon")],
      0.6
    )
    expect(match?.candidate.placeId).toBe("l")
    expect(match?.confidence).toBe(0.92)
    expect(cityKey("Paris 2e Arrondissement")).toBe("paris")
  })
})
