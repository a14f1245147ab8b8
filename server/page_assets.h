/*
 * page_assets: the static files of the search page (server/assets/),
 * compiled into the binary so the daemon serves every byte of its pages
 * itself and no request leaves for another host.
 */
#ifndef SOK_PAGE_ASSETS_H
#define SOK_PAGE_ASSETS_H

#include <stddef.h>

struct sok_asset {
    const char *path;       /* "/assets/app.js" */
    const char *ctype;      /* Content-Type */
    const char *data;       /* static, not NUL-terminated */
    size_t len;
};

/* Fills *out with the asset served at path and returns 1, or returns 0
 * when there is none (path may be NULL).  out->data is static, never
 * freed. */
int sok_page_asset(const char *path, struct sok_asset *out);

/* 16 hex digits of the asset's hash (XXH3), for its URL ("?v=..."), so a
 * new build's assets are never taken from a browser's year-long cache;
 * "0" when path names none.  Static, computed on the first call (call it
 * once before threads start). */
const char *sok_page_asset_version(const char *path);

/* The OpenAPI description of /api/ (server/assets/openapi.json), whose
 * "@BASE@" the server replaces with its base path. */
void sok_page_openapi(struct sok_asset *out);

#endif /* SOK_PAGE_ASSETS_H */
