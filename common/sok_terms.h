/*
 * sok_terms: the term-prefix and value-slot schema shared by the indexer and
 * the query side.  This header is the only place either side learns how a
 * section is stored; change it only together with SOK_SCHEMA_VERSION, which
 * the indexer writes into the index metadata and the server checks.
 *
 * Terms (Xapian convention: upper-case prefix, then the lower-case term):
 *   (none)   exact word form, NFC + case folded, with positions
 *            (body, and the section title again with a higher wdf)
 *   Z        Swedish Snowball stem of a word, no positions; only when the
 *            stem differs from the word ("banken" -> Zbank, "bank" -> none),
 *            so a stem s is searched as Zs OR s (schema 2 wrote Z for
 *            every word; a query written this way finds those too)
 *   C        Snowball stem of a part of a compound word, no positions
 *            (before 2026-11 indexes: at the compound's position; nothing
 *            reads them) ("fritidsbanken" -> Cfritid, Cbank; linking letters
 *            dropped, names and words the lexicon knows whole not split;
 *            see sok_compound.h).  Searched below whole words.
 *   U        schema 2 only: the word with accents removed.  Nothing reads
 *            them: a word typed without accents is now expanded at query
 *            time to the indexed words that differ from it only by them.
 *   T        the section title's words, folded, numbers dropped, joined by
 *            one space ("rotation", "banor och text"); no positions.  A
 *            query that is the whole title ranks that section first.
 *   S        exact word form occurring in the section title, with positions
 *   Q        unique id of the section (boolean)
 *   F        file key: hex hash of the source path (boolean); deleting by it
 *            removes every section of one file
 *   XT       type: news, minutes, report, other (boolean)
 *   XY       year "2017" (boolean)
 *   XM       year-month "201702" (boolean)
 *
 * Values:
 *   SOK_SLOT_DATE     "YYYYMMDD" (sorts as a string), absent when unknown
 *   SOK_SLOT_TYPE     type name, for the type facet
 *   SOK_SLOT_YEAR     "YYYY", for the year facet
 *   SOK_SLOT_DUPKEY   near-duplicate key (hex), the collapse key
 *   SOK_SLOT_ORDINAL  section ordinal within its document, "%06u"
 *   SOK_SLOT_FILE     file key (hex), same as the F term
 *   SOK_SLOT_TYPE_KEYED  the near-duplicate key, then the type name
 *   SOK_SLOT_YEAR_KEYED  the near-duplicate key, then "YYYY" (absent
 *                     with the year)
 *     (from schema 6: facets over remote shards count a passage once by
 *     counting these, sok_xapian.h; an older index counts each copy)
 *
 * A section of navigation only (sok_doc.h: nav; a table of contents, a
 * list of links) gets its title's terms and the boolean terms, no body or
 * document-title terms: the words it lists belong to the sections they
 * name.  Contents lines (dot leaders, page-number columns) inside other
 * sections are not indexed at all.
 *
 * Document data: see sok_doc.h (sok_doc_section_record()): to schema 6 a
 * JSON object, from schema 7 a JSON object without the text, a NUL byte
 * and the text; from schema 4 it holds the section's first "page" (null
 * when not paged); from schema 5 its text is at most SOK_SECTION_MAX
 * bytes (a longer section is stored as parts, "Title (del 2)", ...) and
 * its titles at most SOK_TITLE_MAX (sok_section.h).
 *
 * Metadata keys:
 *   "sok:schema"          SOK_SCHEMA_VERSION as decimal text
 *   "sok:file:" + filekey "contenthash\tnsections\tpath"
 *   "sok:revision"        run counter, decimal text
 */
#ifndef SOK_TERMS_H
#define SOK_TERMS_H

#define SOK_SCHEMA_VERSION 7

/* The oldest schema the query side still reads: 2 differs from 3 only by
 * terms that 3 no longer writes, and queries written for 3 find the same
 * sections in either; 4 writes the terms of 3 (PDFs and navigation cut
 * into other sections, a "page" in the data), and 5 those of 4 (long
 * sections cut into parts), 6 those of 5 (two more values), and 7 those
 * of 6 (the text outside the record's JSON); an index of an older schema
 * is re-indexed whole by the next sok-index run, because every file's
 * content hash includes the schema. */
#define SOK_SCHEMA_OLDEST_READ 2

#define SOK_PREFIX_STEM   "Z"
#define SOK_PREFIX_TITLE  "S"
#define SOK_PREFIX_PART   "C"
#define SOK_PREFIX_TITLEKEY "T"
#define SOK_PREFIX_ID     "Q"
#define SOK_PREFIX_FILE   "F"
#define SOK_PREFIX_TYPE   "XT"
#define SOK_PREFIX_YEAR   "XY"
#define SOK_PREFIX_MONTH  "XM"

#define SOK_SLOT_DATE     0
#define SOK_SLOT_TYPE     1
#define SOK_SLOT_YEAR     2
#define SOK_SLOT_DUPKEY   3
#define SOK_SLOT_ORDINAL  4
#define SOK_SLOT_FILE     5
#define SOK_SLOT_TYPE_KEYED 6
#define SOK_SLOT_YEAR_KEYED 7
#define SOK_DUPKEY_LEN    16

#define SOK_META_SCHEMA   "sok:schema"
#define SOK_META_FILE     "sok:file:"
#define SOK_META_REVISION "sok:revision"

/* Xapian refuses terms longer than 245 bytes; leave room for a prefix. */
#define SOK_TERM_MAX 200

/* Longest whole-title key (T term, without the prefix). */
#define SOK_TITLE_KEY_MAX 120

/* wdf added for each occurrence of a word in a section title, on top of the
 * body's 1, so BM25 weighs title words above body words. */
#define SOK_TITLE_WDF 4

#endif /* SOK_TERMS_H */
