/** The site's navigation, shared by its layout (site/src/layouts/Base.astro) and the Worker's /docs page. */
export const SITE_LINKS: readonly { href: string; text: string }[] = [
  { href: '/', text: 'Results' },
  { href: '/data/', text: 'Data' },
  { href: '/papers/', text: 'Papers' },
  { href: '/api/', text: 'API' },
  { href: '/demo/', text: 'Try it' },
];
