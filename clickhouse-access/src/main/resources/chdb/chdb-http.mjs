// ClickHouse's HTTP interface, the part Sluice's tools use, in front of chdb (ClickHouse 26.7 in process, no server).
//   node chdb-http.mjs --port N --path DIR     (ChdbEngine starts it; chdb is in ./node_modules next to this file)
// One chdb Session on DIR (MergeTree data persists there) on 127.0.0.1:N; one statement per request, one request at a
// time (chdb runs one query at a time anyway).
//   GET /ping, GET / without a query -> "Ok.\n"
//   GET|POST /?query=... [+ body]    -> the statement is the query parameter, a newline and the body, as ClickHouse
//       joins them; the answer is TabSeparated (or default_format) unless the statement has its own FORMAT clause
//   INSERT INTO t [(cols)] [SETTINGS ...] FORMAT f + data -> the data goes to a temporary file, inserted with
//       INSERT INTO t [(cols)] FROM INFILE 'file' [SETTINGS ...] FORMAT f: ClickHouse's own input path, so every
//       input format works (RowBinary too) and omitted columns get their DEFAULT expressions, as on a server
//   URL parameters: database (USE), default_format (or headers X-ClickHouse-Database, -Format), query_id (echoed),
//       param_x (query parameters); any other that is not an HTTP-only one is a setting for this request only
//   errors -> ClickHouse's HTTP status for the code (400, 404, else 500) and "Code: N. DB::Exception: ..." as body
// Not served: credentials (any are accepted), session_id, compressed answers (compress=1, enable_http_compression=1 get
// plain ones), read-only GET; a SET statement outlives its request here. Bodies may be gzip/deflate/br encoded.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';

process.env.TZ = 'UTC'; // chdb takes its time zone from the environment when it loads; Sluice's servers run in UTC
const { Session } = createRequire(import.meta.url)('chdb');

const args = Object.fromEntries(process.argv.slice(2).flatMap((a, i, all) => a.startsWith('--') ? [[a.slice(2), all[i + 1]]] : []));
const PORT = Number(args.port);
if (!Number.isInteger(PORT) || !args.path) throw new Error('usage: node chdb-http.mjs --port N --path DIR');
const MAX_BODY = 256 * 1024 * 1024;
// URL parameters ClickHouse's HTTP handler consumes itself: never settings.
const HTTP_ONLY = new Set(['query', 'compress', 'decompress', 'user', 'password', 'quota_key', 'query_id', 'stacktrace', 'role',
    'buffer_size', 'wait_end_of_query', 'session_id', 'session_timeout', 'session_check', 'client_protocol_version',
    'close_session', 'database', 'default_format']);
// ClickHouse's HTTP status per error code (exceptionCodeToHTTPStatus), for the codes tests meet; any other is 500.
const STATUS = new Map([...[6, 25, 26, 27, 38, 41, 53, 62, 72, 117].map(c => [c, 400]),
    ...[46, 47, 50, 56, 60, 63, 73, 81, 115].map(c => [c, 404]), [48, 501], [241, 413]]);
// INSERT ... FORMAT f, then the data: after the format name, blanks and one line break (CR LF or LF) are skipped.
const INSERT = /^\s*(INSERT\s+INTO\s+(?:TABLE\s+)?[\w.`"]+(?:\s*\([^()]*\))?)(\s+SETTINGS\s+[^\n]*?)?\s+FORMAT\s+(\w+)[ \t]*\r?\n?/i;
const OUTPUT_FORMAT = /\bFORMAT\s+(\w+)\s*;?\s*$/i;
const CONTENT_TYPES = [[/^(TabSeparated|TSV)/i, 'text/tab-separated-values; charset=UTF-8'], [/^JSON/i, 'application/json; charset=UTF-8'],
    [/^CSV/i, 'text/csv; charset=UTF-8; header=absent'], [/^(RowBinary|Native|Parquet|Arrow|ORC|Avro)/i, 'application/octet-stream'],
    [/^/, 'text/plain; charset=UTF-8']];

const session = new Session(args.path);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chdb-http-'));
const run = (sql, format = 'TabSeparated', params) =>
    params ? session.queryBindAsync(sql, params, { format }) : session.queryAsync(sql, { format });
const [TIMEZONE, VERSION] = (await run('SELECT timezone(), version()')).text().trim().split('\t');
const quote = s => `'${String(s).replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
const ident = s => '`' + String(s).replaceAll('\\', '\\\\').replaceAll('`', '\\`') + '`';
const utf8 = latin1 => latin1 === undefined ? '' : Buffer.from(latin1, 'latin1').toString('utf8');
const insertedRows = async () => Number((await run("SELECT value FROM system.events WHERE event = 'InsertedRows'")).text().trim() || 0);

/** Runs one request's statement: the URL's query parameter, a newline and the body. */
async function execute(p, headers, body) {
    const query = Buffer.from(p.has('query') ? p.get('query') + '\n' : '', 'utf8');
    const head = Buffer.concat([query, body.subarray(0, 65536)]).toString('latin1'); // latin1: one character per byte
    const insert = INSERT.exec(head);
    const settings = [...p.keys()].filter(k => k && !HTTP_ONLY.has(k) && !k.startsWith('param_'));
    const params = Object.fromEntries([...p].filter(([k]) => k.startsWith('param_')).map(([k, v]) => [k.slice(6), v]));
    const defaultFormat = p.get('default_format') || headers['x-clickhouse-format'] || 'TabSeparated';
    await run(`USE ${ident(p.get('database') || headers['x-clickhouse-database'] || 'default')}`);
    if (settings.length) await run('SET ' + settings.map(k => `${ident(k)} = ${quote(p.get(k))}`).join(', '));
    let file, sql;
    try {
        if (insert) { // the data after the header: in the body, or (rarely) starting in the query parameter
            const start = insert[0].length;
            file = path.join(tmp, `insert-${crypto.randomUUID()}`); // no extension: FROM INFILE guesses compressions from it
            fs.writeFileSync(file, start >= query.length ? body.subarray(start - query.length) : Buffer.concat([query.subarray(start), body]));
            sql = `${utf8(insert[1])} FROM INFILE ${quote(file)}${utf8(insert[2])} FORMAT ${insert[3]}`;
        } else {
            sql = query.toString('utf8') + body.toString('utf8');
        }
        const before = /^\s*INSERT\b/i.test(sql) ? await insertedRows() : undefined;
        const result = await run(sql, defaultFormat, Object.keys(params).length ? params : undefined);
        const out = result.bytes();
        return { format: insert ? insert[3] : OUTPUT_FORMAT.exec(sql)?.[1] ?? defaultFormat,
            out: Buffer.from(out.buffer, out.byteOffset, out.byteLength), readRows: result.rowsRead, readBytes: result.bytesRead,
            writtenRows: before === undefined ? 0 : await insertedRows() - before, elapsedNs: Math.round(result.elapsed * 1e9) };
    } finally {
        if (file) fs.rmSync(file, { force: true });
        if (settings.length) await run('SET ' + settings.map(k => `${ident(k)} = DEFAULT`).join(', ')).catch(() => {});
    }
}

/** The request body, decompressed as its Content-Encoding says. */
function decode(body, encoding = 'identity') {
    const inflate = { identity: b => b, gzip: zlib.gunzipSync, 'x-gzip': zlib.gunzipSync, deflate: zlib.inflateSync,
        br: zlib.brotliDecompressSync }[encoding];
    if (!inflate) throw Object.assign(new Error(`Unknown Content-Encoding ${encoding}. (BAD_ARGUMENTS)`), { clickhouseCode: 36 });
    return inflate(body, { maxOutputLength: MAX_BODY });
}

function answer(res, status, headers, body) {
    res.writeHead(status, { 'X-ClickHouse-Server-Display-Name': os.hostname(), 'X-ClickHouse-Timezone': TIMEZONE, ...headers });
    res.end(body);
}

/** Answers one request whose body has been read (size also counts the bytes over MAX_BODY, which were dropped). */
async function handle(req, res, url, body, size) {
    const queryId = url.searchParams.get('query_id') || crypto.randomUUID();
    try {
        if (url.pathname === '/ping' || (url.pathname === '/' && size === 0 && !url.searchParams.has('query'))) {
            return answer(res, 200, { 'Content-Type': 'text/html; charset=UTF-8' }, 'Ok.\n');
        }
        if (url.pathname !== '/') return answer(res, 404, { 'Content-Type': 'text/plain; charset=UTF-8' },
            `There is no handle ${url.pathname}\n\nUse / or /ping for health checks.\n`);
        if (size > MAX_BODY) throw Object.assign(new Error('Request body over 256 MiB. (MEMORY_LIMIT_EXCEEDED)'), { clickhouseCode: 241 });
        const r = await execute(url.searchParams, req.headers, decode(body, req.headers['content-encoding']));
        const summary = Object.fromEntries(Object.entries({ read_rows: r.readRows, read_bytes: r.readBytes, written_rows: r.writtenRows,
            written_bytes: 0, total_rows_to_read: 0, result_rows: r.writtenRows, result_bytes: r.out.length, elapsed_ns: r.elapsedNs })
            .map(([k, v]) => [k, String(v ?? 0)]));
        answer(res, 200, { 'Content-Type': CONTENT_TYPES.find(([f]) => f.test(r.format))[1], 'X-ClickHouse-Format': r.format,
            'X-ClickHouse-Query-Id': queryId, 'X-ClickHouse-Summary': JSON.stringify(summary) }, r.out);
    } catch (e) {
        const code = e.clickhouseCode ?? Number(/Code: (\d+)/.exec(e.message)?.[1] ?? 1001);
        const message = /^Code: \d+/.test(e.message) ? e.message : `Code: ${code}. DB::Exception: ${e.message} (version ${VERSION})`;
        answer(res, STATUS.get(code) ?? 500, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Query-Id': queryId,
            'X-ClickHouse-Exception-Code': String(code) }, message.trimEnd() + '\n');
    }
}

let queue = Promise.resolve(); // one request at a time, in arrival order
const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', chunk => { size += chunk.length; if (size <= MAX_BODY) chunks.push(chunk); }); // over: read, dropped
    req.on('end', () => queue = queue.then(() => handle(req, res, new URL(req.url, 'http://localhost'), Buffer.concat(chunks), size))
        .catch(e => console.error('chdb-http:', e)));
});
server.keepAliveTimeout = 600_000; // clients reuse connections: one closed under a client's next request fails it
server.on('error', e => { console.error(`chdb-http: ${e.message}`); process.exit(3); });
server.listen(PORT, '127.0.0.1', () => console.log(`chdb-http: ClickHouse ${VERSION} (chdb) on http://127.0.0.1:${PORT}, data in ${args.path}`));

function shutdown(signal) {
    console.log(`chdb-http: ${signal}, stopping`);
    server.close();
    server.closeAllConnections();
    queue.finally(() => {
        session.close();
        fs.rmSync(tmp, { recursive: true, force: true });
        process.exit(0);
    });
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
