/*
 * sok_doc: the document model.  Turns one source file (.txt, .md,
 * .html/.htm, .pdf) into a document cut into sections, each of which the
 * indexer stores as its own Xapian document.  Extraction lives in
 * sok_extract.h (one sok_extract_<format>.c per format), section splitting
 * in sok_section.h, dates in sok_date.h; this header is their shared
 * interface.
 */
#ifndef SOK_DOC_H
#define SOK_DOC_H

#include <stddef.h>
#include <jansson.h>
#include "sok_err.h"
#include "sok_buf.h"

#ifdef __cplusplus
extern "C" {
#endif

enum sok_type {
    SOK_TYPE_OTHER = 0,
    SOK_TYPE_NEWS = 1,
    SOK_TYPE_MINUTES = 2,
    SOK_TYPE_REPORT = 3,
    SOK_TYPE_UNSET = -1          /* in sok_doc_opts: no override */
};

/* The document types are 0 .. SOK_TYPE_COUNT - 1 (a bit each in a filter). */
#define SOK_TYPE_COUNT 4

enum sok_format {
    SOK_FMT_UNKNOWN = 0, SOK_FMT_TEXT, SOK_FMT_MARKDOWN, SOK_FMT_HTML,
    SOK_FMT_PDF
};

/* Initialises the parsers' global state (libxml2).  Call once from the
 * main thread before parsing documents in several threads. */
void sok_doc_init(void);

/* "news", "minutes", "report", "other"; NULL for anything else. */
const char *sok_type_name(enum sok_type t);
/* Parses a type name; SOK_EINVAL when unknown. */
int sok_type_parse(const char *s, enum sok_type *out);

/* Format from the file name's extension (case-insensitive). */
enum sok_format sok_format_from_path(const char *path);

struct sok_section {
    char id[17];         /* stable id: 16 hex digits, from source path,
                            title and the title's occurrence number */
    char *title;         /* owned, never NULL (may be "") */
    char *text;          /* owned body text, paragraphs separated by
                            "\n\n"; never NULL */
    char *anchor;        /* owned, NULL when the source has none */
    enum sok_type type;
    char date[11];       /* "YYYY-MM-DD", "" when unknown */
    unsigned ordinal;    /* 0-based position in the document */
    unsigned page;       /* 1-based page it starts on (PDF); 0: not paged */
    int nav;             /* 1: navigation only (a table of contents, a list
                            of links): text is kept for reading but not
                            indexed, so the section is no hit for the
                            words of the titles it lists */
};

struct sok_document {
    char *source;        /* owned: the path as given */
    char *title;         /* owned document title, never NULL; "" when
                            the document states none (a page of news
                            items whose first item's title is not its) */
    char *url;           /* owned canonical URL, NULL when none stated
                            (or none that sok_doc_url_safe accepts) */
    enum sok_format format;
    enum sok_type type;  /* the document's dominant type */
    char date[11];       /* document date, "" when unknown */
    size_t nsections;
    struct sok_section *sections;   /* owned array */
    size_t repaired_bytes;          /* invalid UTF-8 bytes repaired */
};

struct sok_doc_opts {
    enum sok_type type_override;    /* SOK_TYPE_UNSET: detect from cues */
    unsigned pdf_timeout_s;         /* 0: default (30 s) */
    size_t max_bytes;               /* 0: default (64 MiB) per file or
                                       extracted text */
};

#define SOK_DOC_OPTS_INIT { SOK_TYPE_UNSET, 0, 0 }

/* Reads and parses the file at path.  path is also the document's source.
 * Errors: SOK_EIO (unreadable), SOK_EFORMAT (not a supported format, or
 * the extractor failed), SOK_ETOOBIG, SOK_ETIMEOUT (a PDF tool took too
 * long).  *out freed with sok_doc_free(). */
int sok_doc_load(const char *path, const struct sok_doc_opts *opts,
                 struct sok_document **out, struct sok_err *err);

/* Parses in-memory content (any bytes; invalid UTF-8 is repaired) as format
 * fmt; PDF is not accepted here.  For tests and for callers that already
 * hold the bytes. */
int sok_doc_parse(const char *source, const char *data, size_t len,
                  enum sok_format fmt, const struct sok_doc_opts *opts,
                  struct sok_document **out, struct sok_err *err);

void sok_doc_free(struct sok_document *doc);

/* 1 when url is an address a hit may link to: http or https, or relative
 * (no scheme); 0 for any other scheme (javascript:, data:, vbscript:,
 * file:, ...) and for anything holding a space, a control character or a
 * backslash, which browsers read loosely. */
int sok_doc_url_safe(const char *url);

/* Opens the regular file at path read-only into *fd_out (the caller
 * closes it), refusing anything else (SOK_EIO) and files over max bytes
 * (SOK_ETOOBIG); *size_out (may be NULL) receives its size. */
int sok_doc_open_file(const char *path, size_t max, int *fd_out,
                      size_t *size_out, struct sok_err *err);

/* Reads the regular file at path whole into a malloc()ed *out (*len bytes).
 * SOK_EIO when it cannot be read, SOK_ETOOBIG past max bytes (also when it
 * grows past max while being read). */
int sok_doc_read_file(const char *path, size_t max, char **out, size_t *len,
                      struct sok_err *err);

/* Appends the section's stored record (the Xapian document data): one
 * JSON object {"id","title","doc_title","source","url","type","date",
 * "page","ordinal","nsections","prev","next"}, a NUL byte, then the
 * section's text as it is.  "url" is the document's URL (+ "#anchor", or
 * for a paged document "#page=N") or "/doc/<id>"; "date" null when
 * unknown; "page" the first page (null when not paged); "prev"/"next" the
 * neighbouring section ids or null.  The text stays out of the JSON
 * because reading a record is on every search's path, and unescaping
 * kilobytes of JSON string cost more than the rest of the read. */
void sok_doc_section_record(const struct sok_document *doc, size_t i,
                            struct sok_buf *b, int *rc);

/* The record data[0..len) as a JSON object with the text under "text"
 * (a record of schema 6 or older is one JSON object, text included); NULL
 * when it is not a record.  The caller owns the reference. */
json_t *sok_doc_record_parse(const char *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* SOK_DOC_H */
