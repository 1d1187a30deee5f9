/**
 * The JSDoc of TypeBox schemas, read from their source with the TypeScript parser: the comment on
 * `export const Name = Type.Object(...)` and the comment on each property of that object literal,
 * nested objects as dotted paths (`log.sha256`); an interface's members likewise.
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';

/** What the source says about one schema constant. */
export interface SchemaDocs {
  /** The comment on the constant, without `@example` and other tags. */
  summary: string;
  /** Property path to its comment. */
  fields: Map<string, string>;
  /** Property path to the constant its schema is (`bundle: StoredObjectSchema`). */
  refs: Map<string, string>;
}

function jsDocText(node: ts.Node): string {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
  const text = docs.map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '').join(' ');
  return text.replace(/\s+/g, ' ').trim();
}

function objectLiteralOf(call: ts.Expression): ts.ObjectLiteralExpression | undefined {
  if (!ts.isCallExpression(call)) return undefined;
  const callee = call.expression.getText();
  if (callee === 'Type.Object') {
    const first = call.arguments[0];
    return first && ts.isObjectLiteralExpression(first) ? first : undefined;
  }
  if (callee === 'Type.Optional' || callee === 'Type.Array') {
    const first = call.arguments[0];
    return first ? objectLiteralOf(first) : undefined;
  }
  return undefined;
}

/** The constant a property's schema names: `X`, `Type.Optional(X)`, `Type.Array(X)`. */
function referencedConstant(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isCallExpression(expression) && /^Type\.(Optional|Array)$/.test(expression.expression.getText())) {
    const first = expression.arguments[0];
    return first ? referencedConstant(first) : undefined;
  }
  return undefined;
}

function collectFields(literal: ts.ObjectLiteralExpression, prefix: string, into: SchemaDocs): void {
  for (const property of literal.properties) {
    if (!ts.isPropertyAssignment(property)) continue;
    const name = `${prefix}${property.name.getText().replace(/^['"]|['"]$/g, '')}`;
    const text = jsDocText(property);
    if (text) into.fields.set(name, text);
    const ref = referencedConstant(property.initializer);
    if (ref) into.refs.set(name, ref);
    const nested = objectLiteralOf(property.initializer);
    if (nested) collectFields(nested, `${name}.`, into);
  }
}

/** The docs of every `const` and interface in `file`, by name. */
export function schemaDocs(file: string): Map<string, SchemaDocs> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found = new Map<string, SchemaDocs>();
  for (const statement of source.statements) {
    if (ts.isInterfaceDeclaration(statement)) {
      const docs: SchemaDocs = { summary: jsDocText(statement), fields: new Map(), refs: new Map() };
      for (const member of statement.members) {
        const text = jsDocText(member);
        if (member.name && text) docs.fields.set(member.name.getText(), text);
      }
      found.set(statement.name.text, docs);
    }
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || !declaration.initializer) continue;
      const docs: SchemaDocs = { summary: jsDocText(statement), fields: new Map(), refs: new Map() };
      const literal = objectLiteralOf(declaration.initializer);
      if (literal) collectFields(literal, '', docs);
      found.set(declaration.name.text, docs);
    }
  }
  return found;
}
