/**
 * Top-level domains, as far as telling an address from a look-alike needs: the TLDs that real
 * addresses use (for spelled-out forms, where "instagram @la.belle.peinture" must not pass), and
 * the file extensions that make `logo@2x.png` an asset name.
 */

/** Generic TLDs seen on French small-business addresses; every two-letter (country) TLD also counts. */
const COMMON_GENERIC = new Set(
  (
    "com net org info biz pro name asso coop mobi tel travel " +
    "app dev io tech online site website store shop boutique web email mail cloud digital " +
    "paris bzh alsace corsica eus bio immo restaurant cafe bar hotel voyage vin wine beer " +
    "agency studio design art blog club social team group company business solutions services " +
    "consulting expert finance legal avocat avocats law immobilier realestate sarl " +
    "fun live life world today xyz top ovh global international photo photography coach " +
    "health care dental doctor clinic fitness golf yoga school academy education green eco " +
    "house garden construction build immo moda fashion beauty style events media news press"
  ).split(" ")
)

export const isCommonTld = (tld: string): boolean => tld.length === 2 || COMMON_GENERIC.has(tld)

/** File extensions: an "address" ending in one is an asset name (`logo@2x.png`, `hero@3x.webp`). */
const FILE_EXTENSIONS = new Set(
  (
    "png jpg jpeg gif svg webp avif bmp ico tif tiff heic psd css scss sass less js mjs cjs jsx ts tsx " +
    "vue map json xml php html htm asp aspx jsp cgi pdf doc docx xls xlsx ppt pptx odt txt csv rtf " +
    "mp3 mp4 m4a wav ogg webm mov avi mkv woff woff2 ttf eot otf zip gz rar tgz md yml yaml min"
  ).split(" ")
)

export const isFileExtension = (tld: string): boolean => FILE_EXTENSIONS.has(tld)
