import type pg from 'pg';

export interface UsageMonth {
  month: Date;
  peopleCreated: number;
  facesEnrolled: number;
  imagesSubmitted: number;
  events: number;
  noFaceEvents: number;
  calls: number;
}

/**
 * Billing and capacity per local month: what was created in it. Rows exist only for months with
 * activity. People and faces deleted since are not counted (deletion removes their rows).
 */
export function usageRepository(pool: pg.Pool) {
  return {
    async monthly(tenantId: string, q: { from: Date; to: Date; timeZone: string }): Promise<UsageMonth[]> {
      const per = (table: string, column: string, extra = '') =>
        `SELECT date_trunc('month', "createdAt", $4::text) AS month, ${column} FROM "${table}"
         WHERE "tenantId" = $1::uuid AND "createdAt" >= $2 AND "createdAt" < $3 ${extra} GROUP BY 1`;
      const { rows } = await pool.query<UsageMonth>(
        `WITH e AS (${per('RecognitionEvent', `count(*)::int AS events, (count(*) FILTER (WHERE "decision" = 'NO_FACE'))::int AS "noFaceEvents", (count(*) FILTER (WHERE "callStart"))::int AS calls`)}),
              f AS (${per('Face', 'count(*)::int AS faces')}),
              p AS (${per('Person', 'count(*)::int AS people')}),
              s AS (${per('EnrollmentSession', 'sum("imagesAccepted" + "imagesRejected")::int AS images')}),
              m AS (SELECT month FROM e UNION SELECT month FROM f UNION SELECT month FROM p UNION SELECT month FROM s)
         SELECT m.month, coalesce(p.people, 0) AS "peopleCreated", coalesce(f.faces, 0) AS "facesEnrolled", coalesce(s.images, 0) AS "imagesSubmitted",
                coalesce(e.events, 0) AS events, coalesce(e."noFaceEvents", 0) AS "noFaceEvents", coalesce(e.calls, 0) AS calls
         FROM m LEFT JOIN e USING (month) LEFT JOIN f USING (month) LEFT JOIN p USING (month) LEFT JOIN s USING (month) ORDER BY m.month`,
        [tenantId, q.from, q.to, q.timeZone],
      );
      return rows;
    },

    async totals(tenantId: string): Promise<{ people: number; faces: number }> {
      const { rows } = await pool.query<{ people: number; faces: number }>(
        `SELECT (SELECT count(*) FROM "Person" WHERE "tenantId" = $1::uuid)::int AS people,
                (SELECT count(*) FROM "Face" WHERE "tenantId" = $1::uuid AND searchable)::int AS faces`,
        [tenantId],
      );
      return rows[0]!;
    },
  };
}
