import type { RequestHandler } from 'express';
import type { ApolloServerPlugin } from '@apollo/server';

/** Headers that prove a browser sent a preflight (Apollo's recommended CSRF headers). */
const PREFLIGHT_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight'];
/** Content types a browser may send cross-site without a CORS preflight. */
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * CSRF prevention (Apollo Server's rule, which this replaces): a request a browser could send
 * cross-site without a preflight (no content type, or a "simple" one) is refused unless it names
 * itself with a preflight header.
 *
 * One exception, for GraphQL-over-HTTP GET requests: a GET that is not from another site's page
 * runs. Browsers say where a request comes from (`Sec-Fetch-Site`, Fetch Metadata, in every
 * current browser); a GET with `Sec-Fetch-Site: cross-site|same-site`, or one carrying cookies or
 * an `Origin` (older browsers), is still refused. GETs never run mutations, and Plaza's
 * credentials are bearer tokens a cross-site page cannot attach, so a cross-site GET could only
 * ever read what an anonymous client reads; it is refused anyway, as before.
 */
export function csrfPrevention(): RequestHandler {
  return (req, res, next) => {
    const contentType = req.headers['content-type'];
    const essence = contentType?.split(';')[0]?.trim().toLowerCase();
    if (essence && !SIMPLE_CONTENT_TYPES.includes(essence)) {
      next();
      return;
    }
    if (PREFLIGHT_HEADERS.some((h) => (req.headers[h] as string | undefined)?.length)) {
      next();
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const site = req.headers['sec-fetch-site'];
      const fromOtherSite = site === 'cross-site' || site === 'same-site';
      const browserWithoutMetadata = site === undefined && (req.headers.cookie !== undefined || req.headers.origin !== undefined);
      if (!fromOtherSite && !browserWithoutMetadata) {
        next();
        return;
      }
    }
    res.status(400).json({
      errors: [
        {
          message:
            'This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either specify a ' +
            `'content-type' header (with a type that is not one of ${SIMPLE_CONTENT_TYPES.join(', ')}) or provide a ` +
            `non-empty value for one of the following headers: ${PREFLIGHT_HEADERS.join(', ')}`,
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
  };
}

/** The media types of an Accept header, without parameters, lower-cased. */
function acceptedTypes(accept: string | undefined): string[] {
  if (!accept) return [];
  return accept.split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
}

/**
 * GraphQL over HTTP: a client that asks for `application/json` only (the legacy media type, not
 * `application/graphql-response+json`) gets its GraphQL errors (parse, validation, variable
 * coercion) with status 200, as the specification says servers SHOULD; clients that accept the
 * new media type, or anything (`*\/*`), keep the 4xx statuses.
 */
export function legacyJsonStatusPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    requestDidStart({ request }) {
      const types = acceptedTypes(request.http?.headers.get('accept'));
      const legacyOnly = types.includes('application/json') && !types.includes('application/graphql-response+json') && !types.includes('*/*');
      if (!legacyOnly) return Promise.resolve();
      return Promise.resolve({
        willSendResponse({ response }) {
          if (response.http.status === 400 && response.body.kind === 'single' && response.body.singleResult.errors?.length) {
            response.http.status = 200;
          }
          return Promise.resolve();
        },
      });
    },
  };
}
