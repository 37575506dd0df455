// The lab CA: root and CRL downloads, issued certificates with their status,
// developer certificates for namespaces, revocation (the nodes re-read the
// CRL on change, so a revoked identity is refused at once).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { CertError } from '../../../certs/cert-error.ts';
import { REVOCATION_REASONS, type RevocationReason } from '../../../certs/crl.ts';
import { isValidNamespace } from '../../../certs/extensions.ts';
import { ApiError } from '../api-error.ts';
import type { Lab } from '../../lab.ts';

const developerBody = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'must be 1 to 64 letters, digits or _ . @ -'),
  namespaces: z.array(z.string().refine(isValidNamespace, 'must be a reverse-DNS namespace such as org.example')).min(1).max(32),
  validityDays: z.number().int().min(1).max(3650).optional(),
});

const revokeBody = z.strictObject({ reason: z.enum(Object.keys(REVOCATION_REASONS) as [RevocationReason, ...RevocationReason[]]).optional() });

function bodyOf<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success)
    throw new ApiError(400, 'bad-request', parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '), {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  return parsed.data;
}

function certFailure(e: unknown): never {
  if (e instanceof CertError) throw new ApiError(e.code === 'not-found' ? 404 : e.code === 'issue-invalid' ? 409 : 400, e.code, e.message);
  throw e;
}

export function caRoutes(lab: Lab): Router {
  const r = Router();
  r.get('/ca/root', (_req, res) => {
    res.type('application/x-pem-file').attachment('spms-lab-root-ca.crt').send(lab.ca.rootPem);
  });
  r.get('/ca/crl', (_req, res) => {
    res.type('application/x-pem-file').attachment('spms-lab.crl').send(lab.ca.crlPem());
  });
  r.get('/ca/certificates', (_req, res) => {
    const now = Date.now();
    res.json({
      certificates: lab.ca.list().map((c) => ({ ...c, status: c.revoked !== undefined ? 'revoked' : c.notAfterMs < now ? 'expired' : 'valid' })),
    });
  });
  r.get('/ca/certificates/:serial', (req, res) => {
    const serial = req.params.serial.toLowerCase();
    if (!/^[0-9a-f]{1,64}$/.test(serial) || !lab.ca.list().some((c) => c.serial === serial)) throw new ApiError(404, 'not-found', `no certificate with serial ${req.params.serial}`);
    res
      .type('application/x-pem-file')
      .attachment(`${serial}.crt`)
      .send(readFileSync(join(lab.paths.ca, 'issued', 'serials', `${serial}.crt`), 'utf8'));
  });
  r.post('/ca/developers', (req, res) => {
    const body = bodyOf(developerBody, req.body);
    try {
      const issued = lab.ca.issue({ role: 'developer', name: body.name, namespaces: body.namespaces, ...(body.validityDays === undefined ? {} : { validityDays: body.validityDays }) });
      lab.hub.emit({ node: 'daemon', type: 'certificate-issued', payload: { serial: issued.record.serial, role: 'developer', name: body.name, namespaces: body.namespaces } });
      res.status(201).json({ certificate: issued.record, certPem: issued.certPem, keyPem: issued.keyPem });
    } catch (e) {
      certFailure(e);
    }
  });
  r.post('/ca/certificates/:serial/revoke', (req, res) => {
    const body = bodyOf(revokeBody, req.body);
    try {
      const record = lab.ca.revoke(req.params.serial, body.reason ?? 'unspecified');
      lab.hub.emit({ node: 'daemon', type: 'certificate-revoked', payload: { serial: record.serial, role: record.role, name: record.name, reason: body.reason ?? 'unspecified' } });
      res.json({ certificate: record });
    } catch (e) {
      certFailure(e);
    }
  });
  return r;
}
