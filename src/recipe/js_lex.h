/*
 * Lexer for the JavaScript recipe language (ECMA-262 §12 lexical grammar,
 * module goal, strict mode).  Tokens are byte ranges into the caller's
 * source; string and template values are decoded on demand.
 */
#ifndef FABRIK_JS_LEX_H
#define FABRIK_JS_LEX_H

#include <stddef.h>

#include "base/buf.h"

/* Largest accepted source text in bytes. */
#ifndef JS_MAX_SOURCE
#define JS_MAX_SOURCE (4u * 1024 * 1024)
#endif
/* Tokens the lexer may produce for one source, counting the re-scans the
 * parser does while looking ahead; bounds the parser's total work. */
#ifndef JS_MAX_TOKENS
#define JS_MAX_TOKENS (4u * 1024 * 1024)
#endif
/* Template literals nested inside ${ } substitutions. */
#ifndef JS_LEX_MAX_TEMPLATE_DEPTH
#define JS_LEX_MAX_TEMPLATE_DEPTH 32
#endif

enum js_tok_kind {
	JS_TOK_EOF,
	JS_TOK_NAME, /* identifier or keyword (see kw) */
	JS_TOK_NUM, /* numeric literal; value in num */
	JS_TOK_STR, /* string literal */
	JS_TOK_TEMPLATE, /* `...` without substitutions */
	JS_TOK_TEMPLATE_HEAD, /* `...${ */
	JS_TOK_TEMPLATE_MIDDLE, /* }...${ */
	JS_TOK_TEMPLATE_TAIL, /* }...` */
	JS_TOK_REGEX, /* /body/flags */
	/* punctuators */
	JS_TOK_LBRACE,
	JS_TOK_RBRACE,
	JS_TOK_LPAREN,
	JS_TOK_RPAREN,
	JS_TOK_LBRACKET,
	JS_TOK_RBRACKET,
	JS_TOK_DOT,
	JS_TOK_ELLIPSIS,
	JS_TOK_SEMI,
	JS_TOK_COMMA,
	JS_TOK_LT,
	JS_TOK_GT,
	JS_TOK_LE,
	JS_TOK_GE,
	JS_TOK_EQ,
	JS_TOK_NE,
	JS_TOK_SEQ,
	JS_TOK_SNE,
	JS_TOK_PLUS,
	JS_TOK_MINUS,
	JS_TOK_STAR,
	JS_TOK_SLASH,
	JS_TOK_PERCENT,
	JS_TOK_EXP,
	JS_TOK_INC,
	JS_TOK_DEC,
	JS_TOK_SHL,
	JS_TOK_SAR,
	JS_TOK_SHR,
	JS_TOK_AMP,
	JS_TOK_PIPE,
	JS_TOK_CARET,
	JS_TOK_BANG,
	JS_TOK_TILDE,
	JS_TOK_AND,
	JS_TOK_OR,
	JS_TOK_NULLISH,
	JS_TOK_QUESTION,
	JS_TOK_OPTCHAIN,
	JS_TOK_COLON,
	JS_TOK_ASSIGN,
	JS_TOK_ADD_ASSIGN,
	JS_TOK_SUB_ASSIGN,
	JS_TOK_MUL_ASSIGN,
	JS_TOK_DIV_ASSIGN,
	JS_TOK_MOD_ASSIGN,
	JS_TOK_EXP_ASSIGN,
	JS_TOK_SHL_ASSIGN,
	JS_TOK_SAR_ASSIGN,
	JS_TOK_SHR_ASSIGN,
	JS_TOK_AND_ASSIGN,
	JS_TOK_OR_ASSIGN,
	JS_TOK_XOR_ASSIGN,
	JS_TOK_LAND_ASSIGN,
	JS_TOK_LOR_ASSIGN,
	JS_TOK_NULLISH_ASSIGN,
	JS_TOK_ARROW,
	JS_TOK__COUNT
};

/* Identifier names the parser gives meaning to.  Reserved words come first
 * (up to JS_KW__RESERVED); the rest are contextual and stay usable as
 * identifiers. */
enum js_kw {
	JS_KW_NONE,
	JS_KW_AWAIT,
	JS_KW_BREAK,
	JS_KW_CASE,
	JS_KW_CATCH,
	JS_KW_CLASS,
	JS_KW_CONST,
	JS_KW_CONTINUE,
	JS_KW_DEBUGGER,
	JS_KW_DEFAULT,
	JS_KW_DELETE,
	JS_KW_DO,
	JS_KW_ELSE,
	JS_KW_ENUM,
	JS_KW_EXPORT,
	JS_KW_EXTENDS,
	JS_KW_FALSE,
	JS_KW_FINALLY,
	JS_KW_FOR,
	JS_KW_FUNCTION,
	JS_KW_IF,
	JS_KW_IMPLEMENTS,
	JS_KW_IMPORT,
	JS_KW_IN,
	JS_KW_INSTANCEOF,
	JS_KW_INTERFACE,
	JS_KW_LET,
	JS_KW_NEW,
	JS_KW_NULL,
	JS_KW_PACKAGE,
	JS_KW_PRIVATE,
	JS_KW_PROTECTED,
	JS_KW_PUBLIC,
	JS_KW_RETURN,
	JS_KW_STATIC,
	JS_KW_SUPER,
	JS_KW_SWITCH,
	JS_KW_THIS,
	JS_KW_THROW,
	JS_KW_TRUE,
	JS_KW_TRY,
	JS_KW_TYPEOF,
	JS_KW_VAR,
	JS_KW_VOID,
	JS_KW_WHILE,
	JS_KW_WITH,
	JS_KW_YIELD,
	JS_KW__RESERVED,
	JS_KW_ABSTRACT,
	JS_KW_AS,
	JS_KW_ASSERTS,
	JS_KW_ASYNC,
	JS_KW_DECLARE,
	JS_KW_FROM,
	JS_KW_GET,
	JS_KW_GLOBAL,
	JS_KW_INFER,
	JS_KW_IS,
	JS_KW_KEYOF,
	JS_KW_META,
	JS_KW_MODULE,
	JS_KW_NAMESPACE,
	JS_KW_OF,
	JS_KW_OVERRIDE,
	JS_KW_READONLY,
	JS_KW_SATISFIES,
	JS_KW_SET,
	JS_KW_TARGET,
	JS_KW_TYPE,
	JS_KW_UNIQUE
};

struct js_tok {
	enum js_tok_kind kind;
	enum js_kw kw; /* JS_TOK_NAME only */
	size_t off, end; /* byte range [off, end) in the source */
	unsigned line, col; /* 1-based; col counts bytes */
	int nl_before; /* a line terminator precedes it (for ASI) */
	double num; /* JS_TOK_NUM */
	size_t re_flags; /* JS_TOK_REGEX: offset of the flags */
};

/* Lexer state.  Plain data: copying the struct saves a position and copying
 * it back rewinds (the parser's lookahead does this). */
struct js_lex {
	const char *src;
	size_t len;
	size_t pos;
	unsigned line;
	size_t line_start;
	enum js_tok_kind prev; /* last token, for the regex heuristic */
	enum js_kw prev_kw;
	size_t ntok;
	unsigned tdepth; /* open ${ substitutions */
	unsigned tbraces[JS_LEX_MAX_TEMPLATE_DEPTH];
	const char *err; /* static message after a -1 */
	unsigned err_line, err_col;
};

/* Starts lexing src[0..len) (not NUL-terminated; borrowed for the lexer's
 * and every token's lifetime).  A leading UTF-8 BOM and a #! line are
 * skipped.  Returns -1 with err set when len exceeds JS_MAX_SOURCE or the
 * text is not valid UTF-8. */
int js_lex_init(struct js_lex *, const char *src, size_t len) FAB_WUR;

/* Scans the next token into *tok.  A '/' is read as a regular expression
 * or as division by looking at the previous token (ECMA-262 §12: the
 * syntactic context decides; the parser fixes the rare wrong guess with
 * js_lex_rescan).  Returns 0, or -1 with err, err_line, err_col set. */
int js_lex_next(struct js_lex *, struct js_tok *) FAB_WUR;

/* Re-reads *tok, which must be the last token scanned, as a regular
 * expression (regex != 0) or as the '/' or '/=' punctuator (regex == 0).
 * Returns 0 or -1 with err set. */
int js_lex_rescan(struct js_lex *, struct js_tok *, int regex) FAB_WUR;

/* Splits a '>>', '>>>', '>=', '>>=' or '>>>=' token, which must be the last
 * token scanned, after its first '>' (TypeScript type argument lists):
 * *tok becomes the '>' and the lexer resumes right after it. */
void js_lex_split_gt(struct js_lex *, struct js_tok *);

/* Appends the decoded UTF-8 value of a string literal or the cooked value
 * of a template chunk to out (lone surrogates are encoded as 3-byte
 * sequences, WTF-8).  For JS_TOK_NAME appends the name.  Returns 0 or -1
 * on allocation failure (the token was validated when it was scanned). */
int js_lex_value(
    const struct js_lex *, const struct js_tok *, struct buf *out) FAB_WUR;

/* Appends the raw text of a template chunk (between ` or } and ` or ${),
 * with CR and CRLF normalised to LF (ECMA-262 §13.2.8.6).  Returns 0 or
 * -1 on allocation failure. */
int js_lex_raw(
    const struct js_lex *, const struct js_tok *, struct buf *out) FAB_WUR;

/* Static printable name of a token kind ("name", "(", "=>", ...). */
const char *js_lex_kind_name(enum js_tok_kind);

/* Nonzero when kw is a reserved word in strict module code. */
int js_lex_kw_reserved(enum js_kw);

#endif
