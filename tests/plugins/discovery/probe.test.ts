import { describe, expect, it } from "bun:test"
import { domainMatch, searchCandidates } from "../../../plugins/discovery/EnrichDomain.ts"
import { isParked, scorePage } from "../../../plugins/discovery/probe.ts"

const page = (
  html: string,
  url = "http://boulangerie-martin.fr/",
  extra: Partial<Parameters<typeof scorePage>[0]> = {}
) => ({
  url,
  finalUrl: url,
  status: 200,
  contentType: "text/html; charset=utf-8",
  html,
  ...extra
})
const martin = { names: ["Boulangerie Martin"], siren: "123456782", city: "Lyon" }

describe("site probe", () => {
  it("recognises parked, for-sale and placeholder pages", () => {
    expect(isParked("<h1>Ce domaine est à vendre</h1><p>Contactez Sedo</p>")).toBe(true)
    expect(isParked("<title>boulangerie-martin.fr</title><p>This domain may be for sale!</p>")).toBe(true)
    expect(isParked("<h1>Félicitations ! Votre domaine a bien été créé chez OVHcloud</h1>")).toBe(true)
    expect(isParked("<title>Welcome to nginx!</title>")).toBe(true)
    expect(isParked("<title>Site en construction</title>")).toBe(true)
    expect(isParked("<title>Boulangerie Martin</title><p>Pain au levain, viennoiseries.</p>")).toBe(false)
  })

  it("rejects parked pages whatever they say", () => {
    const result = scorePage(page("<title>Boulangerie Martin</title><p>Domaine à vendre</p>"), martin)
    expect(result).toMatchObject({ verdict: "parked", score: 0 })
  })

  it("rejects directories and platforms, also when a candidate redirects to one", () => {
    expect(
      scorePage(page("<title>Boulangerie Martin</title>", "https://www.pagesjaunes.fr/pros/123"), martin).verdict
    ).toBe("directory")
    const redirected = page("<title>Boulangerie Martin</title>", "http://boulangerie-martin.fr/", {
      finalUrl: "https://www.facebook.com/boulangeriemartin"
    })
    expect(scorePage(redirected, martin).verdict).toBe("directory")
  })

  it("rejects errors and non-HTML answers", () => {
    expect(scorePage(page("", undefined, { status: 404 }), martin).verdict).toBe("http_error")
    expect(scorePage(page("%PDF", undefined, { contentType: "application/pdf" }), martin).verdict).toBe("not_html")
  })

  it("scores the company's name, SIREN and city on a live page", () => {
    const full = scorePage(
      page("<title>Accueil | Boulangerie Martin</title><p>SIREN 123 456 782 — 4 rue Neuve, 69001 Lyon</p>"),
      martin
    )
    expect(full.verdict).toBe("ok")
    expect(full.score).toBeGreaterThanOrEqual(0.9)
    const other = scorePage(page("<title>Garage Dupont</title><p>Vidange, pneus</p>"), martin)
    expect(other.score).toBeLessThan(0.5)
  })

  it("prefers a domain that spells the name exactly", () => {
    expect(domainMatch("boulangerie-martin.fr", ["Boulangerie Martin"])).toBe(0.1)
    expect(domainMatch("boulangeriemartin.com", ["SARL Boulangerie Martin"])).toBe(0.1)
    expect(domainMatch("boulangerie-jean-martin.fr", ["Boulangerie Martin"])).toBe(0.05)
    expect(domainMatch("garage-dupont.fr", ["Boulangerie Martin"])).toBe(0)
  })

  it("takes search results' sites, never directories or platforms", () => {
    const candidates = searchCandidates(
      [
        { url: "https://www.societe.com/societe/boulangerie-martin-123456782.html", rank: 1 },
        { url: "https://www.facebook.com/boulangeriemartin", rank: 2 },
        { url: "https://www.boulangerie-martin.fr/nos-pains", rank: 3 },
        { url: "https://boulangerie-martin.fr/contact", rank: 4 }
      ],
      3
    )
    expect(candidates).toEqual([
      { domain: "boulangerie-martin.fr", url: "https://www.boulangerie-martin.fr/", source: "search", rank: 3 }
    ])
  })
})
