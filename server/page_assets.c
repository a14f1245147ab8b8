/*
 * page_assets: server/assets/ embedded with the assembler's .incbin (see
 * page_assets.h).  The paths are relative to the directory the compiler
 * runs in, the repository root, as the Makefile does.  -MMD does not see
 * .incbin: after editing an asset, touch this file (or make clean) so it is
 * rebuilt.  The files stay plain CSS and JavaScript, easy to read and lint.
 */
#include "page_assets.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

#define SOK_INCBIN(sym, file)                                               \
    __asm__(".section .rodata\n"                                            \
            ".global " #sym "\n"                                            \
            ".hidden " #sym "\n"                                            \
            ".type " #sym ", @object\n"                                     \
            ".balign 16\n" #sym ":\n"                                       \
            ".incbin \"" file "\"\n"                                        \
            ".global " #sym "_end\n"                                        \
            ".hidden " #sym "_end\n" #sym "_end:\n"                         \
            ".byte 0\n"                                                     \
            ".previous\n");                                                 \
    extern const char sym[], sym##_end[]

SOK_INCBIN(sok_asset_app_js, "server/assets/app.js");
SOK_INCBIN(sok_asset_style_css, "server/assets/style.css");
SOK_INCBIN(sok_asset_openapi, "server/assets/openapi.json");

void sok_page_openapi(struct sok_asset *out)
{
    *out = (struct sok_asset){
        "/api/openapi.json", "application/json; charset=utf-8",
        sok_asset_openapi, (size_t)(sok_asset_openapi_end - sok_asset_openapi)
    };
}

static char g_ver[2][17];
static pthread_once_t g_ver_once = PTHREAD_ONCE_INIT;

static void versions(void)
{
    struct sok_asset a;
    sok_page_asset("/assets/app.js", &a);
    snprintf(g_ver[0], sizeof g_ver[0], "%016llx",
             (unsigned long long)XXH3_64bits(a.data, a.len));
    sok_page_asset("/assets/style.css", &a);
    snprintf(g_ver[1], sizeof g_ver[1], "%016llx",
             (unsigned long long)XXH3_64bits(a.data, a.len));
}

const char *sok_page_asset_version(const char *path)
{
    pthread_once(&g_ver_once, versions);
    if (path != NULL && strcmp(path, "/assets/app.js") == 0)
        return g_ver[0];
    if (path != NULL && strcmp(path, "/assets/style.css") == 0)
        return g_ver[1];
    return "0";
}

int sok_page_asset(const char *path, struct sok_asset *out)
{
    /* Built on each call: the sizes are link-time differences, not C
     * constant expressions, and a local table needs no locking. */
    const struct sok_asset all[] = {
        { "/assets/app.js", "text/javascript; charset=utf-8",
          sok_asset_app_js,
          (size_t)(sok_asset_app_js_end - sok_asset_app_js) },
        { "/assets/style.css", "text/css; charset=utf-8",
          sok_asset_style_css,
          (size_t)(sok_asset_style_css_end - sok_asset_style_css) },
    };
    for (size_t i = 0; path != NULL && i < sizeof all / sizeof all[0]; i++)
        if (strcmp(path, all[i].path) == 0) {
            *out = all[i];
            return 1;
        }
    return 0;
}
