/*
 * web: what a website in front of sok needs besides the search itself —
 * the embedded assets (a year's max-age, their URL carrying their hash),
 * robots.txt, opensearch.xml (a browser's "add search engine"), the
 * OpenAPI description of /api/ at /api/openapi.json, and the CORS
 * preflight (OPTIONS with Origin and Access-Control-Request-Method) for
 * the origins allowed by --cors-origin.
 */
#ifndef SOK_WEB_H
#define SOK_WEB_H

#include "httpd.h"

/* Answers r when path (less the base path) is one of the routes above and
 * returns 1; 0 when it is none of them. */
int sok_web_route(struct sok_req *r, const char *path);

/* Whether r is a CORS preflight (OPTIONS, Origin, Access-Control-Request-
 * Method); then answers it (204; the CORS headers only for an allowed
 * origin and a GET or HEAD). */
int sok_web_preflight(struct sok_req *r);

#endif /* SOK_WEB_H */
