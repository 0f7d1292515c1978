#!/usr/bin/env python3
"""DockOpt ErrorId catalogue tool.

  python3 build/tools/errorids.py sweep   # catalogue every literal ErrorId in src/** and replace it with ErrorIds.X
  python3 build/tools/errorids.py docs    # regenerate docs/about_DockOpt_ErrorIds.md from the catalogue
  python3 build/tools/errorids.py check   # exit 1 when a literal ErrorId is left or the about page is stale

Idempotent: ids already catalogued are not added again; only string literals in ErrorId positions are touched:
  * the first argument of `new DockOptException(`,
  * a PascalCase literal argument of `SendCheckedAsync(`, `EngineErrors.FromStatus(` / `FromApi(`, `PostJsonAsync(`,
    `GetJsonAsync(` (their not-found ErrorId),
  * the second argument of `new ErrorRecord(`,
  * `ErrorId is "A" or "B"`, `ErrorId == "A"`, `ErrorId != "A"`,
  * parameter defaults `notFoundErrorId = "A"` / `notFoundId = "A"`,
  * target-typed `new("A", DockOptErrorCategory.X, ...)` and `: base("A", DockOptErrorCategory.X, ...)`,
  * the arms of `string MapId(...) => x switch { ... => "A" }` (ids chosen from a foreign error code).
New ids go into src/DockOpt.Contracts/ErrorIds/ErrorIds.<Area>.cs, the area taken from the folder of the first throw site;
category and hint from that site (its recommendedAction), falling back to a generic hint to be edited by hand.
"""
import os, re, sys, glob

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
CAT_DIR = os.path.join(ROOT, 'src', 'DockOpt.Contracts', 'ErrorIds')
DOC = os.path.join(ROOT, 'docs', 'about_DockOpt_ErrorIds.md')
ID_RX = re.compile(r'^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$')

AREA_BY_FOLDER = {
    'Building': 'Build', 'Security': 'Security', 'Images': 'Images', 'Registry': 'Registry',
    'DockerApi': 'Engine', 'Testing': 'Testing', 'Dockerfiles': 'Lint', 'Analysis': 'Analysis',
    'History': 'History', 'IO': 'Reports', 'Reporting': 'Reporting', 'DockOpt.Cmdlets': 'Parameters',
    'Conventions': 'Parameters',
}


CMDLET_AREAS = [('Compare', 'Analysis'), ('Measure', 'Analysis'), ('History', 'History'), ('Dockerfile', 'Lint'),
                ('Scan', 'Security'), ('Vulnerability', 'Security'), ('Publish', 'Registry'), ('Build', 'Build'),
                ('TestDockOptImage', 'Testing'), ('Package', 'Packages'), ('Export', 'Reports'), ('GetDockOptImage', 'Images')]


def area_of(path):
    parts = os.path.relpath(path, os.path.join(ROOT, 'src')).split(os.sep)
    if parts[0] == 'DockOpt.Engine' and len(parts) > 2:
        return AREA_BY_FOLDER.get(parts[1], parts[1])
    if parts[0] == 'DockOpt.Cmdlets':
        for key, area in CMDLET_AREAS:
            if key in parts[-1]:
                return area
        return 'Parameters'
    return 'Engine'


# ---------- catalogue ----------
CONST_RX = re.compile(
    r'\[ErrorId\(\s*DockOptErrorCategory\.(\w+)\s*,\s*((?:@?"(?:[^"\\]|\\.|"")*"\s*\+?\s*)+)(?:,\s*Terminating\s*=\s*(true|false)\s*)?\)\]\s*'
    r'public const string (\w+) = nameof\(\4\);', re.S)


def unquote(expr):
    return ''.join(m.replace('\\"', '"').replace('\\\\', '\\')
                   for m in re.findall(r'"((?:[^"\\]|\\.)*)"', expr))


def read_catalogue():
    cat = {}
    for f in sorted(glob.glob(os.path.join(CAT_DIR, 'ErrorIds.*.cs'))):
        area = os.path.basename(f)[len('ErrorIds.'):-3]
        text = open(f, encoding='utf-8').read()
        for m in CONST_RX.finditer(text):
            cat[m.group(4)] = dict(area=area, category=m.group(1), hint=unquote(m.group(2)),
                                   terminating=m.group(3) == 'true')
    return cat


# ---------- a small C# argument splitter ----------
def split_args(text, start):
    """text[start] is just after '('. Returns (list of (argtext, abs_start, abs_end)), index after ')'."""
    args, depth, i, a0 = [], 0, start, start
    n = len(text)
    while i < n:
        c = text[i]
        if c == '/' and text.startswith('//', i):
            i = text.index('\n', i); continue
        if c == '"' or (c in '$@' and i + 1 < n and text[i + 1] in '"$@'):
            j = i
            verbatim = False
            while text[j] in '$@':
                verbatim |= text[j] == '@'; j += 1
            j += 1
            interp_depth = 0
            while j < n:
                if not verbatim and text[j] == '\\': j += 2; continue
                if text[j] == '{' and '$' in text[i:i + 3]:
                    if text.startswith('{{', j): j += 2; continue
                    interp_depth += 1
                elif text[j] == '}' and interp_depth:
                    interp_depth -= 1
                elif text[j] == '"' and not interp_depth:
                    if verbatim and text.startswith('""', j): j += 2; continue
                    break
                j += 1
            i = j + 1; continue
        if c == "'":
            i = text.index("'", i + 2 if text[i + 1] == '\\' else i + 1) + 1; continue
        if c in '([{': depth += 1
        elif c in ')]}':
            if depth == 0:
                args.append((text[a0:i], a0, i)); return args, i + 1
            depth -= 1
        elif c == ',' and depth == 0:
            args.append((text[a0:i], a0, i)); a0 = i + 1
        i += 1
    return args, n


LIT_RX = re.compile(r'^\s*"([A-Za-z0-9]+)"\s*$')


def literal_id(arg):
    m = LIT_RX.match(arg)
    return m.group(1) if m and ID_RX.match(m.group(1)) else None


def string_value(arg):
    """Value of a (possibly concatenated / interpolated) string expression, interpolations as <expr>."""
    arg = arg.strip()
    if not arg or arg == 'null': return None
    parts = re.findall(r'(\$?@?|@\$)"((?:[^"\\]|\\.|"")*)"', arg)
    if not parts: return None
    out = ''
    for prefix, body in parts:
        body = body.replace('\\"', '"').replace('\\\\', '\\').replace('\\n', ' ')
        if '$' in prefix:
            body = re.sub(r'\{\{', '\0', body); body = re.sub(r'\}\}', '\1', body)
            body = re.sub(r'\{([^}:]+)(:[^}]*)?\}', lambda m: '<' + m.group(1).strip().split('.')[-1].strip('()') + '>', body)
            body = body.replace('\0', '{').replace('\1', '}')
        out += body
    return out


def src_files():
    for f in glob.glob(os.path.join(ROOT, 'src', '**', '*.cs'), recursive=True):
        if os.sep + 'obj' + os.sep in f or os.sep + 'bin' + os.sep in f or f.startswith(CAT_DIR):
            continue
        yield f


CALL_RX = re.compile(r'(?<![\w.])(new\s+DockOptException|new|base|SendCheckedAsync|FromStatus|FromApi|PostJsonAsync|GetJsonAsync|new\s+ErrorRecord)\s*\(')
IS_RX = re.compile(r'ErrorId\s*(?:is|==|!=)\s*"[A-Za-z0-9]+"(?:\s*or\s*"[A-Za-z0-9]+")*')
DEFAULT_RX = re.compile(r'\b(?:notFoundErrorId|notFoundId)\s*=\s*"([A-Za-z0-9]+)"')
MAPID_RX = re.compile(r'\bstring\s+\w*(?:MapId|ErrorIdFor|ErrorIdOf)\w*\s*\([^)]*\)\s*=>\s*\w+\s+switch\b')
ERRCAT_RX = re.compile(r'(?:DockOpt)?ErrorCategory\.(\w+)')


def find_sites(text):
    """Yields (start, end, id, kind, args) for every literal id in an ErrorId position."""
    for m in CALL_RX.finditer(text):
        args, _ = split_args(text, m.end())
        kind = m.group(1).split()[-1]
        if kind in ('new', 'base'):  # target-typed new(...) / : base(...) of a DockOptException: the category follows
            if len(args) > 1 and 'DockOptErrorCategory.' in args[1][0]:
                kind = 'DockOptException'
            else:
                continue
        if kind == 'DockOptException':
            if args and literal_id(args[0][0]):
                a = args[0]; yield a[1], a[2], literal_id(a[0]), kind, args
        elif kind == 'ErrorRecord':
            if len(args) > 1 and literal_id(args[1][0]):
                a = args[1]; yield a[1], a[2], literal_id(a[0]), kind, args
        else:
            for a in args:
                if literal_id(a[0]):
                    yield a[1], a[2], literal_id(a[0]), kind, args
    for m in IS_RX.finditer(text):
        for lm in re.finditer(r'"([A-Za-z0-9]+)"', m.group(0)):
            yield m.start() + lm.start(), m.start() + lm.end(), lm.group(1), 'match', None
    for m in MAPID_RX.finditer(text):  # string MapId(...) => x switch { ... => "Id", ... }: every arm is an id
        body_start = text.index('{', m.end())
        body_end = text.index('};', body_start)
        for lm in re.finditer(r'=>\s*"([A-Za-z0-9]+)"', text[body_start:body_end]):
            if ID_RX.match(lm.group(1)):
                yield body_start + lm.start(1) - 1, body_start + lm.end(1) + 1, lm.group(1), 'mapid', None
    for m in DEFAULT_RX.finditer(text):
        yield m.start(1) - 1, m.end(1) + 1, m.group(1), 'default', None


def site_facts(kind, args):
    """(category, hint) from a throw site, or (None, None)."""
    if kind == 'DockOptException' and len(args) > 1:
        cat = ERRCAT_RX.search(args[1][0])
        hint = None
        named = [a for a in args if re.match(r'\s*recommendedAction\s*:', a[0])]
        if named:
            hint = string_value(named[0][0].split(':', 1)[1])
        elif len(args) > 4 and ':' not in args[4][0].split('"')[0]:
            hint = string_value(args[4][0])
        return (cat.group(1) if cat else None), hint
    if kind == 'ErrorRecord' and len(args) > 2:
        cat = ERRCAT_RX.search(args[2][0])
        return (cat.group(1) if cat else None), None
    if kind in ('SendCheckedAsync', 'FromStatus', 'FromApi', 'PostJsonAsync', 'GetJsonAsync', 'default'):
        return 'ObjectNotFound', None
    return None, None


GENERIC = {
    'ObjectNotFound': 'Check the name or path in the message; list what exists (Get-DockOptImage, Get-ChildItem) and try again.',
    'InvalidArgument': 'Correct the parameter named in the message (see Get-Help <cmdlet> -Parameter <name>).',
}


def cs_string(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def sweep():
    cat = read_catalogue()
    new = {}          # id -> dict(area, category, hint)
    replaced = 0
    for f in sorted(src_files()):
        text = open(f, encoding='utf-8').read()
        sites = sorted(set((s, e, i, k) for s, e, i, k, a in find_sites(text)), reverse=True)
        facts = {}
        throws = {i for s, e, i, k, a in find_sites(text) if k == 'DockOptException'}
        throws = dict.fromkeys(throws, True)
        for s, e, i, k, a in find_sites(text):
            c, h = site_facts(k, a)
            cur = facts.setdefault(i, [None, None])
            cur[0] = cur[0] or c; cur[1] = cur[1] or h
        for i, (c, h) in facts.items():
            if i in cat: continue
            d = new.setdefault(i, dict(area=None, rank=9, category=None, hint=None))
            rank = 0 if throws.get(i) and '/DockOpt.Engine/' in f.replace(os.sep, '/') else 1 if throws.get(i) else 2
            if rank < d['rank']:
                d['area'], d['rank'] = area_of(f), rank
            d['category'] = d['category'] or c
            d['hint'] = d['hint'] or h
        if not sites: continue
        for s, e, i, k in sites:
            text = text[:s] + text[s:e].replace('"' + i + '"', 'ErrorIds.' + i, 1) + text[e:]
            replaced += 1
        open(f, 'w', encoding='utf-8').write(text)
    by_area = {}
    for i, d in sorted(new.items()):
        by_area.setdefault(d['area'], []).append((i, d))
    for area, items in by_area.items():
        path = os.path.join(CAT_DIR, f'ErrorIds.{area}.cs')
        body = ''
        for i, d in items:
            c = d['category'] or 'NotSpecified'
            h = d['hint'] or GENERIC.get(c, 'Read the message: it names what failed and the object it failed on.')
            body += f'\n    [ErrorId(DockOptErrorCategory.{c}, {cs_string(h)})]\n    public const string {i} = nameof({i});\n'
        if os.path.exists(path):
            t = open(path, encoding='utf-8').read().rstrip()
            assert t.endswith('}'), path
            t = t[:-1].rstrip() + '\n' + body + '}\n'
        else:
            t = 'namespace DockOpt;\n\npublic static partial class ErrorIds\n{' + body + '}\n'
        open(path, 'w', encoding='utf-8').write(t)
    print(f'sweep: {len(new)} ids catalogued, {replaced} literals replaced; catalogue now {len(cat) + len(new)} ids')
    docs()


def docs():
    cat = read_catalogue()
    lines = ['# about_DockOpt_ErrorIds', '', '## SHORT DESCRIPTION', '',
             'Every ErrorId DockOpt raises, with its error category and what to do about it.', '',
             '## LONG DESCRIPTION', '',
             'DockOpt reports errors as ErrorRecords whose FullyQualifiedErrorId starts with one of the ids below',
             '(for example `ImageNotFound,DockOpt.Cmdlets.GetDockOptImageCommand`). The category is the',
             "record's CategoryInfo.Category; the hint is also in ErrorDetails.RecommendedAction when the throw site",
             'gives one specific to the case. Ids marked *terminating* end the command whatever the input.',
             '', 'This page is generated from the catalogue (src/DockOpt.Contracts/ErrorIds) by',
             '`python3 build/tools/errorids.py docs`; a test fails when it and the catalogue differ.', '']
    for area in sorted(set(d['area'] for d in cat.values())):
        lines += [f'### {area}', '']
        for i in sorted(k for k, d in cat.items() if d['area'] == area):
            d = cat[i]
            term = ', terminating' if d['terminating'] else ''
            lines.append(f'- **{i}** ({d["category"]}{term}): {d["hint"]}')
        lines.append('')
    lines += ['## SEE ALSO', '', '- about_DockOpt', '- about_DockOpt_Conventions', '']
    text = '\n'.join(lines)
    if check_mode:
        return open(DOC, encoding='utf-8').read() == text if os.path.exists(DOC) else False
    open(DOC, 'w', encoding='utf-8').write(text)
    print(f'docs: {len(cat)} ids written to {os.path.relpath(DOC, ROOT)}')


check_mode = False
if __name__ == '__main__':
    cmd = sys.argv[1] if len(sys.argv) > 1 else 'sweep'
    if cmd == 'sweep': sweep()
    elif cmd == 'docs': docs()
    elif cmd == 'check':
        check_mode = True
        left = [(os.path.relpath(f, ROOT), i) for f in src_files() for s, e, i, k, a in find_sites(open(f, encoding='utf-8').read())]
        ok = docs()
        for f, i in left: print(f'literal ErrorId {i} in {f}')
        if not ok: print('docs/about_DockOpt_ErrorIds.md is stale: run python3 build/tools/errorids.py docs')
        sys.exit(1 if left or not ok else 0)
    else: sys.exit(__doc__)
