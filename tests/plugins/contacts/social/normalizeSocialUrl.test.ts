import { describe, expect, it } from "bun:test"
import { normalizeSocialUrl } from "../../../../plugins/contacts/social/normalizeSocialUrl.ts"

describe("normalizeSocialUrl", () => {
  it("uses https and the host without www., m. or a locale prefix, and drops the trailing slash", () => {
    expect(normalizeSocialUrl("http://www.facebook.com/Acme/")).toBe("https://facebook.com/Acme")
    expect(normalizeSocialUrl("https://fr-fr.facebook.com/Acme")).toBe("https://facebook.com/Acme")
    expect(normalizeSocialUrl("https://m.facebook.com/Acme")).toBe("https://facebook.com/Acme")
    expect(normalizeSocialUrl("https://FR.LinkedIn.com/in/jean")).toBe("https://linkedin.com/in/jean")
  })

  it("drops tracking parameters and the fragment, keeps parameters that name the page", () => {
    expect(normalizeSocialUrl("https://instagram.com/acme?igshid=YTQwZjQ0NmI0OA==")).toBe("https://instagram.com/acme")
    expect(normalizeSocialUrl("https://www.facebook.com/acme/?ref=page_internal&utm_source=site#top")).toBe(
      "https://facebook.com/acme"
    )
    expect(normalizeSocialUrl("https://www.facebook.com/profile.php?id=100063755682659&fref=ts")).toBe(
      "https://facebook.com/profile.php?id=100063755682659"
    )
    expect(normalizeSocialUrl("https://www.youtube.com/watch?v=rB-owgXag4I&feature=share")).toBe(
      "https://youtube.com/watch?v=rB-owgXag4I"
    )
  })

  it("reads links without a scheme", () => {
    expect(normalizeSocialUrl("//www.instagram.com/acme/")).toBe("https://instagram.com/acme")
    expect(normalizeSocialUrl(" instagram.com/acme ")).toBe("https://instagram.com/acme")
  })

  it("keeps members' subdomains on platforms that give them", () => {
    expect(normalizeSocialUrl("https://acme.bandcamp.com/")).toBe("https://acme.bandcamp.com")
  })

  it("returns what it cannot parse as it is (trimmed)", () => {
    expect(normalizeSocialUrl(" not a url ")).toBe("not a url")
  })
})
