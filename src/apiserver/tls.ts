/**
 * The cluster PKI, generated at first start and kept in `<data-dir>/pki/`:
 *   ca.crt/ca.key          — the cluster CA (10 years)
 *   apiserver.crt/.key     — serving certificate for localhost, 127.0.0.1, the bind address, 10.96.0.1,
 *                            kubernetes.default.svc… (signed by the CA)
 *   admin.crt/.key         — admin client certificate (CN=kubelite-admin, O=system:masters)
 *   admin.token            — admin bearer token
 *   apiserver-kubelet-client.crt/.key — the API server's own client certificate towards node agents (upstream
 *                            --kubelet-client-certificate; CN kube-apiserver-kubelet-client): log/exec/attach/
 *                            port-forward proxying and the resource-metrics scrape present it, never the admin's
 *   nodes/<name>/          — the local node agent's credentials (src/cli/node-credentials.ts)
 * Keys come from node:crypto (native, fast); certificates are built with node-forge.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import forge from 'node-forge';

export interface Pki {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  adminToken: string;
  /** The API server's client certificate towards node agents (CN kube-apiserver-kubelet-client). */
  kubeletClientCert: string;
  kubeletClientKey: string;
}

/** The user the API server's kubelet-client certificate names (kubeadm's apiserver-kubelet-client CN). */
export const KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';

export interface IssuedCert { cert: string; key: string }

/**
 * A key and certificate signed by the cluster CA: a client certificate (CN = user name, O = groups, as upstream's
 * x509 authenticator reads them) or a serving certificate for `sans` (DNS names and IPs).
 */
export function issueCertificate(pki: Pick<Pki, 'caCert' | 'caKey'>, o: { cn: string; groups?: string[]; usage: 'client' | 'server'; sans?: string[]; years?: number }): IssuedCert {
  const caCert = forge.pki.certificateFromPem(pki.caCert);
  const caKey = forge.pki.privateKeyFromPem(pki.caKey) as forge.pki.rsa.PrivateKey;
  const k = newKey();
  const isIp = (s: string) => /^[0-9.]+$/.test(s) || s.includes(':');
  const extensions: any[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', ...(o.usage === 'client' ? { clientAuth: true } : { serverAuth: true }) },
  ];
  if (o.sans?.length) extensions.push({ name: 'subjectAltName', altNames: [...new Set(o.sans)].map((s) => (isIp(s) ? { type: 7, ip: s } : { type: 2, value: s })) });
  const cert = makeCert({
    subject: [{ name: 'commonName', value: o.cn }, ...(o.groups ?? []).map((g) => ({ name: 'organizationName', value: g }))],
    pub: k.pub, signer: caKey, issuer: caCert, years: o.years ?? 1, extensions,
  });
  return { cert: forge.pki.certificateToPem(cert), key: k.privPem };
}

/** A client certificate kept in `<dataDir>/pki/<file>.crt/.key`, issued on first use (components' own identities). */
export function ensureClientCert(dataDir: string, pki: Pick<Pki, 'caCert' | 'caKey'>, file: string, cn: string, groups: string[] = []): IssuedCert {
  const dir = join(dataDir, 'pki');
  const crt = join(dir, `${file}.crt`);
  const key = join(dir, `${file}.key`);
  if (!existsSync(crt) || !existsSync(key)) {
    const c = issueCertificate(pki, { cn, groups, usage: 'client', years: 5 });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(key, c.key, { mode: 0o600 });
    writeFileSync(crt, c.cert, { mode: 0o600 });
  }
  return { cert: readFileSync(crt, 'utf8'), key: readFileSync(key, 'utf8') };
}

function newKey(): { pub: forge.pki.PublicKey; priv: forge.pki.rsa.PrivateKey; privPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const priv = forge.pki.privateKeyFromPem(privPem) as forge.pki.rsa.PrivateKey;
  const pub = forge.pki.setRsaPublicKey(priv.n, priv.e);
  return { pub, priv, privPem };
}

/**
 * A random positive serial whose DER INTEGER is minimal: the first byte 0x01–0x7f (positive, and never a leading
 * 0x00, which DER forbids unless the next byte's high bit is set — OpenSSL rejects such a certificate with
 * "illegal padding", once in 256 certificates before this).
 */
export function serial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x7f) || 0x01;
  return b.toString('hex');
}

function makeCert(opts: {
  subject: forge.pki.CertificateField[];
  pub: forge.pki.PublicKey;
  signer: forge.pki.rsa.PrivateKey;
  issuer?: forge.pki.Certificate;
  years: number;
  extensions: any[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = opts.pub;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + opts.years * 365 * 24 * 3600 * 1000);
  cert.setSubject(opts.subject);
  cert.setIssuer(opts.issuer ? opts.issuer.subject.attributes : opts.subject);
  cert.setExtensions(opts.extensions);
  cert.sign(opts.signer, forge.md.sha256.create());
  return cert;
}

/** Load the PKI from `<dataDir>/pki`, creating whatever is missing. */
export function ensurePki(dataDir: string, extraSans: string[] = []): Pki {
  const dir = join(dataDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const p = (n: string) => join(dir, n);
  const write = (n: string, s: string) => writeFileSync(p(n), s, { mode: 0o600 });

  if (!existsSync(p('ca.crt')) || !existsSync(p('ca.key'))) {
    const k = newKey();
    const subject = [{ name: 'commonName', value: 'kubelite-ca' }];
    const ca = makeCert({
      subject, pub: k.pub, signer: k.priv, years: 10,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
        { name: 'subjectKeyIdentifier' },
      ],
    });
    write('ca.key', k.privPem);
    write('ca.crt', forge.pki.certificateToPem(ca));
  }
  const caCertPem = readFileSync(p('ca.crt'), 'utf8');
  const caKeyPem = readFileSync(p('ca.key'), 'utf8');
  const caCert = forge.pki.certificateFromPem(caCertPem);
  const caKey = forge.pki.privateKeyFromPem(caKeyPem) as forge.pki.rsa.PrivateKey;

  const sans = ['localhost', '127.0.0.1', '::1', '10.96.0.1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local', hostname(), ...extraSans];
  const sanKey = [...new Set(sans)].sort().join(',');
  const needServer = !existsSync(p('apiserver.crt')) || !existsSync(p('apiserver.key')) ||
    (existsSync(p('apiserver.sans')) ? readFileSync(p('apiserver.sans'), 'utf8') !== sanKey : true);
  if (needServer) {
    const k = newKey();
    const isIp = (s: string) => /^[0-9.]+$/.test(s) || s.includes(':');
    const cert = makeCert({
      subject: [{ name: 'commonName', value: 'kube-apiserver' }], pub: k.pub, signer: caKey, issuer: caCert, years: 5,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [...new Set(sans)].map((s) => (isIp(s) ? { type: 7, ip: s } : { type: 2, value: s })) },
      ],
    });
    write('apiserver.key', k.privPem);
    write('apiserver.crt', forge.pki.certificateToPem(cert) + caCertPem);
    write('apiserver.sans', sanKey);
  }
  if (!existsSync(p('admin.crt')) || !existsSync(p('admin.key'))) {
    const k = newKey();
    const cert = makeCert({
      subject: [{ name: 'commonName', value: 'kubelite-admin' }, { name: 'organizationName', value: 'system:masters' }],
      pub: k.pub, signer: caKey, issuer: caCert, years: 5,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', clientAuth: true },
      ],
    });
    write('admin.key', k.privPem);
    write('admin.crt', forge.pki.certificateToPem(cert));
  }
  if (!existsSync(p('admin.token'))) write('admin.token', randomBytes(32).toString('hex'));
  const kubeletClient = ensureClientCert(dataDir, { caCert: caCertPem, caKey: caKeyPem }, 'apiserver-kubelet-client', KUBELET_CLIENT_USER);
  return {
    caCert: caCertPem, caKey: caKeyPem,
    serverCert: readFileSync(p('apiserver.crt'), 'utf8'), serverKey: readFileSync(p('apiserver.key'), 'utf8'),
    adminCert: readFileSync(p('admin.crt'), 'utf8'), adminKey: readFileSync(p('admin.key'), 'utf8'),
    adminToken: readFileSync(p('admin.token'), 'utf8').trim(),
    kubeletClientCert: kubeletClient.cert, kubeletClientKey: kubeletClient.key,
  };
}
