#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bbeval.py - just enough of BitBake's metadata language to replay a
recipe without bitbake: variable assignments (=, ?=, ??=, :=, +=, =+, .=,
=., :append, :prepend, :remove), export, require/include, inherit,
shell functions, ${VAR} expansion, and PACKAGECONFIG as base.bbclass
applies it (PACKAGECONFIG_CONFARGS, DEPENDS).  Python functions are read
and ignored, flags (VAR[flag]) kept for PACKAGECONFIG; of inline python,
only bb.utils.filter('VAR', 'words', d) and bb.utils.contains('VAR',
'words', 'yes', 'no', d) are known, anything else is an error.

    bbeval.py [--set VAR=VALUE]... --file FILE... COMMAND
      get VAR        the expanded value
      func NAME      the shell function's body, expanded as bitbake does
                     (unknown variables are left for the shell)
      exports        "export VAR='value'" lines of the exported variables
      inherits       the inherited classes, one a line
      vars           every variable name, one a line

Files are read in order, as if the last one were the recipe (PN and PV
come from its name) and the earlier ones the configuration and classes
before it; --set values come first, like local.conf.  require/include
paths are looked up in --bbpath directories (colon-separated).
"""
import os
import re
import shlex
import sys


class BBError(Exception):
    pass


ASSIGN = re.compile(
    r'^(?P<export>export\s+)?(?P<name>[A-Za-z0-9_${}:/.+\-~]+)'
    r'(?P<flag>\[[A-Za-z0-9_\-]+\])?\s*'
    r'(?P<op>\?\?=|\?=|:=|\+=|=\+|\.=|=\.|=)\s*(?P<q>["\'])(?P<value>.*)(?P=q)\s*$')
FUNC = re.compile(r'^(?P<python>python\s+)?(?P<name>[A-Za-z0-9_${}:\-]*)\s*\(\)\s*\{\s*$')
VARREF = re.compile(r'\$\{([A-Za-z0-9_:\-+.]+)\}')


INLINE = re.compile(r'\$\{@(bb\.utils\.(?:filter|contains)\([^)]*\))\}')
CALL = re.compile(r"""bb\.utils\.(filter|contains)\(\s*'([^']*)'\s*,\s*'([^']*)'\s*(?:,\s*'([^']*)'\s*,\s*'([^']*)'\s*)?,\s*d\s*\)$""")


class Data:
    def __init__(self, bbpath):
        self.vals = {}
        self.weak = {}
        self.late = []          # (name, op, value): :append, :prepend, :remove
        self.funcs = {}
        self.flags = {}
        self.exports = set()
        self.inherits = []
        self.bbpath = bbpath

    # -- reading --
    def read(self, path):
        with open(path) as f:
            text = f.read()
        lines = text.split('\n')
        i = 0
        while i < len(lines):
            line = lines[i]
            i += 1
            while line.endswith('\\') and i < len(lines):
                line = line[:-1] + ' ' + lines[i].strip()
                i += 1
            s = line.strip()
            if not s or s.startswith('#'):
                continue
            m = FUNC.match(line)
            if m:
                body = []
                while i < len(lines) and lines[i].rstrip() != '}':
                    body.append(lines[i])
                    i += 1
                i += 1
                if not m.group('python') and m.group('name'):
                    self.funcs[m.group('name')] = '\n'.join(body)
                continue
            if s.startswith('inherit '):
                self.inherits += s.split()[1:]
                continue
            if s.startswith('require ') or s.startswith('include '):
                target = self.expand(s.split(None, 1)[1].strip())
                found = self.find(target, os.path.dirname(path))
                if found:
                    self.read(found)
                elif s.startswith('require '):
                    raise BBError('%s: cannot find required %s' % (path, target))
                continue
            if s.startswith('EXPORT_FUNCTIONS') or s.startswith('addtask') or \
                    s.startswith('deltask'):
                continue
            m = re.match(r'^export\s+([A-Za-z0-9_]+)$', s)
            if m:
                self.exports.add(m.group(1))
                continue
            m = ASSIGN.match(s)
            if not m:
                raise BBError('%s: cannot parse: %s' % (path, s))
            if m.group('flag'):
                self.flags[(self.expand(m.group('name')), m.group('flag')[1:-1])] = m.group('value')
                continue
            self.assign(m.group('name'), m.group('op'), m.group('value'),
                        bool(m.group('export')))

    def find(self, target, here):
        if os.path.isabs(target):
            return target if os.path.exists(target) else None
        for d in [here] + self.bbpath:
            p = os.path.join(d, target)
            if os.path.exists(p):
                return p
        return None

    def assign(self, name, op, value, export):
        name = self.expand(name)
        parts = name.split(':')
        if parts[-1] in ('append', 'prepend', 'remove'):
            self.late.append((':'.join(parts[:-1]), parts[-1], value))
            return
        if export:
            self.exports.add(name)
        cur = self.vals.get(name)
        if op == '=':
            self.vals[name] = value
        elif op == ':=':
            self.vals[name] = self.expand(value)
        elif op == '?=':
            if name not in self.vals:
                self.vals[name] = value
        elif op == '??=':
            self.weak[name] = value
        elif op == '+=':
            self.vals[name] = (cur + ' ' + value) if cur else value
        elif op == '=+':
            self.vals[name] = (value + ' ' + cur) if cur else value
        elif op == '.=':
            self.vals[name] = (cur or '') + value
        elif op == '=.':
            self.vals[name] = value + (cur or '')

    def finalize(self):
        self.apply_late()
        # base.bbclass: PACKAGECONFIG[name] = "enable,disable,depends,..."
        if 'PACKAGECONFIG' in self.vals or 'PACKAGECONFIG' in self.weak:
            on = self.expand(self.raw('PACKAGECONFIG') or '').split()
            args, deps = [], []
            for (var, flag), v in sorted(self.flags.items()):
                if var != 'PACKAGECONFIG':
                    continue
                parts = self.expand(v).split(',')
                parts += [''] * (3 - len(parts))
                if flag in on:
                    args.append(parts[0])
                    deps += parts[2].split()
                else:
                    args.append(parts[1])
            self.vals['PACKAGECONFIG_CONFARGS'] = ' '.join(a for a in args if a)
            if deps:
                self.vals['DEPENDS'] = (self.raw('DEPENDS') or '') + ' ' + ' '.join(deps)

    def apply_late(self):
        for name, what, value in self.late:
            name = self.expand(name)
            cur = self.raw(name) or ''
            if what == 'append':
                self.vals[name] = cur + value
            elif what == 'prepend':
                self.vals[name] = value + cur
            else:
                gone = set(self.expand(value).split())
                self.vals[name] = ' '.join(
                    w for w in self.expand(cur).split() if w not in gone)

    def inline(self, expr):
        m = CALL.match(expr)
        if not m:
            raise BBError('inline python is not supported here: %s' % expr)
        have = self.expand(self.raw(m.group(2)) or '').split()
        want = m.group(3).split()
        if m.group(1) == 'filter':
            return ' '.join(w for w in want if w in have)
        if m.group(4) is None:
            raise BBError('bb.utils.contains needs a true and a false value: %s' % expr)
        return m.group(4) if all(w in have for w in want) else m.group(5)

    # -- values --
    def raw(self, name):
        if name in self.vals:
            return self.vals[name]
        return self.weak.get(name)

    def expand(self, s, depth=0):
        if depth > 30:
            raise BBError('recursive expansion: %s' % s)
        s = INLINE.sub(lambda m: self.inline(m.group(1)), s)
        if '${@' in s:
            raise BBError('inline python is not supported here: %s' % s)

        def sub(m):
            v = self.raw(m.group(1))
            return m.group(0) if v is None else self.expand(v, depth + 1)
        prev = None
        while prev != s:
            prev = s
            s = VARREF.sub(sub, s)
        return s


def main(argv):
    sets, files, bbpath = [], [], []
    args = argv[1:]
    while args and args[0].startswith('--'):
        opt = args.pop(0)
        if opt == '--set':
            sets.append(args.pop(0))
        elif opt == '--file':
            files.append(args.pop(0))
        elif opt == '--bbpath':
            bbpath += [p for p in args.pop(0).split(':') if p]
        else:
            raise BBError('unknown option %s' % opt)
    d = Data(bbpath)
    # as bitbake: PN and PV from the recipe's file name (NAME_VERSION.bb),
    # the configuration (--set) before the recipe
    if files:
        base = os.path.basename(files[-1])
        base = base.rsplit('.', 1)[0]
        d.vals['PN'], _, pv = base.partition('_')
        d.vals['PV'] = pv or '1.0'
    for s in sets:
        k, v = s.split('=', 1)
        d.vals[k] = v
    for f in files:
        d.read(f)
    d.finalize()
    if not args:
        raise BBError('no command')
    cmd = args[0]
    if cmd == 'get':
        print(d.expand(d.raw(args[1]) or ''))
    elif cmd == 'func':
        if args[1] not in d.funcs:
            raise BBError('no shell function %s' % args[1])
        print(d.expand(d.funcs[args[1]]))
    elif cmd == 'exports':
        for k in sorted(d.exports):
            print('export %s=%s' % (k, shlex.quote(d.expand(d.raw(k) or ''))))
    elif cmd == 'inherits':
        print('\n'.join(d.inherits))
    elif cmd == 'vars':
        print('\n'.join(sorted(set(d.vals) | set(d.weak))))
    else:
        raise BBError('unknown command %s' % cmd)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv))
    except (BBError, OSError, IndexError) as e:
        print('bbeval: %s' % e, file=sys.stderr)
        sys.exit(1)
