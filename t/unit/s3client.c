/*
 * Unit tests for upstream/s3client: credential precedence (explicit,
 * environment, ~/.aws/credentials with profiles), URL and Host building
 * for path-style and virtual-hosted addressing with a key prefix, the XML
 * reader (entities, missing elements, truncation) and the backoff rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "net/loop.h"
#include "upstream/s3client.h"
#include "tap.h"

int main(void);

static char home[512];

static void
write_creds(const char *text)
{
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/.aws", home);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/.aws/credentials", home);
	if ((f = fopen(path, "w")) == NULL) {
		ok(0, "write %s", path);
		return;
	}
	fputs(text, f);
	fclose(f);
}

static void
test_creds(void)
{
	struct s3client_creds ex, out;
	char err[256];
	char *env_none[] = { NULL };
	char *env_keys[] = { "AWS_ACCESS_KEY_ID=AKENV",
		"AWS_SECRET_ACCESS_KEY=SKENV", "AWS_SESSION_TOKEN=TOKENV",
		"AWS_DEFAULT_REGION=eu-west-1", NULL };
	char *env_half[] = { "AWS_ACCESS_KEY_ID=AKENV", "AWS_REGION=ap-x",
		"AWS_DEFAULT_REGION=eu-west-1", NULL };
	char *env_prof[] = { "AWS_PROFILE=ci", NULL };
	char *env_empty[] = {
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", NULL
	};

	snprintf(home, sizeof(home), "%s/trash.s3client.XXXXXX", tap_tdir());
	if (mkdtemp(home) == NULL)
		ok(0, "mkdtemp %s", home);
	write_creds("# comment\n"
		    "[default]\n"
		    "aws_access_key_id = AKFILE\n"
		    "aws_secret_access_key=SKFILE  \r\n"
		    "aws_session_token = TOKFILE\n"
		    "region = us-west-2\n"
		    "\n"
		    "[ci]\n"
		    "  aws_access_key_id = AKCI\n"
		    "aws_secret_access_key = SK=with=equals\n"
		    "; other\n"
		    "[broken\n"
		    "aws_access_key_id = NOTME\n");

	memset(&ex, 0, sizeof(ex));
	ex.access_key = "AKX";
	ex.secret = "SKX";
	ex.region = "sa-east-1";
	ok(s3client_creds_resolve(
	       &out, &ex, env_keys, home, err, sizeof(err)) == 0,
	    "resolve explicit");
	is_str(out.access_key, "AKX", "explicit key wins over env and file");
	is_str(out.secret, "SKX", "explicit secret");
	ok(out.session_token == NULL,
	    "the env session token does not attach to explicit keys");
	is_str(out.region, "sa-east-1", "explicit region wins");
	is_str(out.source, "explicit", "source explicit");
	s3client_creds_release(&out);

	ok(s3client_creds_resolve(
	       &out, NULL, env_keys, home, err, sizeof(err)) == 0,
	    "resolve env");
	is_str(out.access_key, "AKENV", "env key wins over the file");
	is_str(out.secret, "SKENV", "env secret");
	is_str(out.session_token, "TOKENV", "env session token");
	is_str(out.region, "eu-west-1", "AWS_DEFAULT_REGION");
	is_str(out.source, "environment", "source environment");
	s3client_creds_release(&out);

	memset(&ex, 0, sizeof(ex));
	ex.access_key = "AKX"; /* without a secret: not a pair */
	ok(s3client_creds_resolve(
	       &out, &ex, env_half, home, err, sizeof(err)) == 0,
	    "resolve half env");
	is_str(out.access_key, "AKFILE",
	    "an incomplete explicit or env pair falls through to the file");
	is_str(out.secret, "SKFILE", "file secret (trailing blanks cut)");
	is_str(out.session_token, "TOKFILE", "file session token");
	is_str(out.region, "ap-x", "AWS_REGION beats AWS_DEFAULT_REGION");
	is_str(out.source, "file", "source file");
	s3client_creds_release(&out);

	ok(s3client_creds_resolve(
	       &out, NULL, env_prof, home, err, sizeof(err)) == 0,
	    "resolve profile");
	is_str(out.access_key, "AKCI", "AWS_PROFILE picks the section");
	is_str(out.secret, "SK=with=equals", "values may hold '='");
	ok(out.session_token == NULL, "no token in that profile");
	is_str(out.region, "us-east-1", "default region");
	s3client_creds_release(&out);

	ok(s3client_creds_resolve(
	       &out, NULL, env_empty, home, err, sizeof(err)) == 0,
	    "resolve empty env");
	is_str(out.access_key, "AKFILE", "empty env values count as unset");
	is_str(out.region, "us-west-2", "region from the file's profile");
	s3client_creds_release(&out);

	ok(s3client_creds_resolve(
	       &out, NULL, env_none, "/nonexistent/x", err, sizeof(err)) == 0,
	    "resolve nothing");
	ok(out.access_key == NULL && out.source == NULL,
	    "no credentials anywhere: anonymous");
	is_str(out.region, "us-east-1", "region defaults to us-east-1");
	s3client_creds_release(&out);

	{
		char *env_file[] = { "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
			NULL };

		ok(s3client_creds_resolve(
		       &out, NULL, env_file, home, err, sizeof(err)) == -1,
		    "a credentials file that is not a regular file is an "
		    "error: %s",
		    err);
	}
}

static void
url_is(struct s3client *c, const char *key, const char *query,
    const char *want_url, const char *want_host, const char *name)
{
	struct buf u, h;

	buf_init(&u);
	buf_init(&h);
	ok(s3client_url(c, key, query, &u, &h) == 0, "%s: url", name);
	is_str(buf_cstr(&u), want_url, name);
	is_str(buf_cstr(&h), want_host, name);
	buf_release(&u);
	buf_release(&h);
}

static void
test_urls(struct loop *l)
{
	struct s3client_config cfg;
	struct s3client *c;
	char err[256];

	memset(&cfg, 0, sizeof(cfg));
	cfg.url = "s3://my-bucket/tenant-123";
	cfg.creds.region = "eu-central-1";
	c = s3client_new(l, NULL, &cfg, err, sizeof(err));
	ok(c != NULL, "virtual-hosted client");
	if (c != NULL) {
		is_str(s3client_bucket(c), "my-bucket", "bucket");
		is_str(s3client_prefix(c), "tenant-123/",
		    "a prefix gets its trailing slash");
		url_is(c, "a b/c+d~e", NULL,
		    "https://my-bucket.s3.eu-central-1.amazonaws.com/"
		    "tenant-123/a%20b/c%2Bd~e",
		    "my-bucket.s3.eu-central-1.amazonaws.com",
		    "virtual-hosted key, encoded once, '/' kept");
		url_is(c, NULL, "list-type=2",
		    "https://my-bucket.s3.eu-central-1.amazonaws.com/"
		    "?list-type=2",
		    "my-bucket.s3.eu-central-1.amazonaws.com",
		    "virtual-hosted bucket");
		s3client_free(c);
	}
	cfg.path_style = 1;
	c = s3client_new(l, NULL, &cfg, err, sizeof(err));
	ok(c != NULL, "path-style AWS client");
	if (c != NULL) {
		url_is(c, "k", NULL,
		    "https://s3.eu-central-1.amazonaws.com/my-bucket/"
		    "tenant-123/k",
		    "s3.eu-central-1.amazonaws.com", "path-style on AWS");
		s3client_free(c);
	}
	cfg.path_style = 0;
	cfg.url = "s3://b12/";
	cfg.endpoint = "http://127.0.0.1:9000/";
	c = s3client_new(l, NULL, &cfg, err, sizeof(err));
	ok(c != NULL, "endpoint client");
	if (c != NULL) {
		is_str(s3client_prefix(c), "", "no prefix");
		url_is(c, "x/y", "uploads",
		    "http://127.0.0.1:9000/b12/x/y?uploads", "127.0.0.1:9000",
		    "an endpoint means path-style");
		s3client_free(c);
	}
	cfg.url = "s3://B_ad/";
	ok(s3client_new(l, NULL, &cfg, err, sizeof(err)) == NULL,
	    "a bad bucket name is refused: %s", err);
	cfg.url = "http://b/";
	ok(s3client_new(l, NULL, &cfg, err, sizeof(err)) == NULL,
	    "a non-s3 URL is refused: %s", err);
	cfg.url = "s3://bucket";
	cfg.endpoint = "ftp://x";
	ok(s3client_new(l, NULL, &cfg, err, sizeof(err)) == NULL,
	    "a non-http endpoint is refused: %s", err);
	cfg.endpoint = "http://h/path";
	ok(s3client_new(l, NULL, &cfg, err, sizeof(err)) == NULL,
	    "an endpoint with a path is refused: %s", err);
}

static void
test_xml(void)
{
	const char *doc =
	    "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"x\">"
	    "<IsTruncated>true</IsTruncated><Contents><Key>a&amp;b&lt;&#x41;"
	    "&#66;</Key><ETag>&quot;e&quot;</ETag><Size>12</Size></Contents>"
	    "<Contents><Key>k2</Key><Empty/></Contents>"
	    "<NextContinuationToken>t/1=</NextContinuationToken>"
	    "<Cut>never closed";
	struct span d = span_str(doc), v, blk;
	struct buf b;
	size_t pos = 0, p2;

	buf_init(&b);
	ok(s3client_xml_find(d, &pos, "Contents", &blk), "first Contents");
	p2 = 0;
	ok(s3client_xml_find(blk, &p2, "Key", &v) &&
		s3client_xml_text(&b, v) == 0,
	    "Key");
	is_str(buf_cstr(&b), "a&b<AB", "entities and character references");
	buf_reset(&b);
	p2 = 0;
	ok(s3client_xml_find(blk, &p2, "ETag", &v) &&
		s3client_xml_text(&b, v) == 0,
	    "ETag");
	is_str(buf_cstr(&b), "\"e\"", "quoted ETag");
	ok(s3client_xml_find(d, &pos, "Contents", &blk), "second Contents");
	p2 = 0;
	ok(s3client_xml_find(blk, &p2, "Empty", &v) && v.len == 0,
	    "an empty element");
	ok(!s3client_xml_find(d, &pos, "Contents", &blk), "no third Contents");
	pos = 0;
	ok(!s3client_xml_find(d, &pos, "Cut", &v), "an unclosed element");
	pos = 0;
	ok(!s3client_xml_find(d, &pos, "Missing", &v), "a missing element");
	pos = 0;
	ok(!s3client_xml_find(d, &pos, "Conten", &v),
	    "a name prefix does not match");
	buf_reset(&b);
	ok(s3client_xml_text(&b, span_str("a&bogus;")) == -1,
	    "an unknown entity is an error");
	ok(s3client_xml_text(&b, span_str("&#0;")) == -1, "NUL refused");
	ok(s3client_xml_text(&b, span_str("&#xd800;")) == -1,
	    "a surrogate refused");
	ok(s3client_xml_text(&b, span_str("&#12")) == -1,
	    "an unterminated reference");
	buf_reset(&b);
	ok(s3client_xml_text(&b, span_str("&#x20AC;")) == 0 &&
		strcmp(buf_cstr(&b), "\xe2\x82\xac") == 0,
	    "a reference becomes UTF-8");
	buf_release(&b);
}

static void
test_backoff(void)
{
	uint64_t r, d, maxd = 0;
	unsigned i;

	is_int(s3client_backoff_ms(100, 20000, 1, -1, 0), 1,
	    "full jitter starts at 1 ms");
	is_int(s3client_backoff_ms(100, 20000, 1, -1, 99), 100,
	    "first retry at most base");
	is_int(s3client_backoff_ms(100, 20000, 3, -1, 399), 400,
	    "third retry at most base * 4");
	is_int(s3client_backoff_ms(100, 20000, 30, -1, 19999), 20000,
	    "capped at max");
	is_int(s3client_backoff_ms(100, 20000, 1, 2, 5), 2000,
	    "Retry-After sets a floor");
	is_int(s3client_backoff_ms(100, 20000, 5, 0, 5), 6,
	    "Retry-After: 0 adds nothing");
	for (i = 0, r = 12345; i < 1000; i++) {
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		d = s3client_backoff_ms(100, 20000, 4, -1, r >> 11);
		if (d > maxd)
			maxd = d;
		if (d < 1 || d > 800)
			break;
	}
	ok(i == 1000 && maxd > 400, "delays spread over 1..800 (max %llu)",
	    (unsigned long long)maxd);
}

int
main(void)
{
	struct loop *l = loop_new();
	char cmd[600];

	test_creds();
	test_urls(l);
	test_xml();
	test_backoff();
	loop_free(l);
	if (snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home) < (int)sizeof(cmd))
		(void)!system(cmd);
	return done_testing();
}
