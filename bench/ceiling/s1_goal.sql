-- S1 ceiling: POST /api/v2/goals (seed body: 3 client owners, 3 circles) as ONE statement.
-- Every check the endpoint must make (the token, its user's live login on the acting
-- account, the account and its firm; each owner a client of the firm; each circle of
-- the firm and holding one of the owners) and every insert (the goal, its owners in
-- order, its circles). Nothing is inserted unless every check passes; the harness
-- counts the goals inserted against the transactions pgbench reports.
-- Variables: -D digest=<token HMAC, hex> -D acting=<account uuid> -D third=<circles/3>
-- of the large firm (index 0), whose bulk records have UUIDs md5('<kind>:0:<k>').
-- Circle j holds client 3j, so three circles from three thirds give three distinct
-- owners, each inside one of the circles.
\set j1 random(0, :third - 1)
\set j2 random(:third, 2 * :third - 1)
\set j3 random(2 * :third, 3 * :third - 1)
WITH auth AS (
  SELECT a.firm_id, a.id AS account_id, f.timezone
  FROM personal_access_tokens t
  JOIN logins l ON l.user_id = t.user_id
  JOIN accounts a ON a.firm_id = l.firm_id AND a.id = l.account_id
  JOIN firms f ON f.id = a.firm_id
  WHERE t.token_hash = decode(:digest, 'hex') AND t.revoked_at IS NULL
    AND (t.expires_at IS NULL OR t.expires_at > now())
    AND a.uuid = CAST(:acting AS uuid)
    AND (l.expires_at IS NULL OR l.expires_at > now())
    AND (t.account_id IS NULL OR t.account_id = a.id)
    AND l.has_write_permission AND a.type = 'employee' AND a.role IN ('owner', 'admin')
),
owner_in (uuid, position) AS (
  VALUES (md5('client:0:' || 3 * CAST(:j1 AS int))::uuid, 0),
         (md5('client:0:' || 3 * CAST(:j2 AS int))::uuid, 1),
         (md5('client:0:' || 3 * CAST(:j3 AS int))::uuid, 2)
),
circle_in (uuid) AS (
  VALUES (md5('circle:0:' || CAST(:j1 AS int))::uuid),
         (md5('circle:0:' || CAST(:j2 AS int))::uuid),
         (md5('circle:0:' || CAST(:j3 AS int))::uuid)
),
owners AS (
  SELECT a.id, i.position
  FROM auth JOIN accounts a ON a.firm_id = auth.firm_id
  JOIN owner_in i ON a.uuid = i.uuid
  WHERE a.type = 'client'
),
shown_in AS (
  SELECT c.id
  FROM auth JOIN circles c ON c.firm_id = auth.firm_id
  JOIN circle_in i ON c.uuid = i.uuid
  WHERE EXISTS (SELECT 1 FROM circle_accounts ca JOIN owners o ON o.id = ca.account_id
                WHERE ca.firm_id = c.firm_id AND ca.circle_id = c.id)
),
ok AS (
  SELECT firm_id FROM auth
  WHERE (SELECT count(*) FROM owners) = 3 AND (SELECT count(*) FROM shown_in) = 3
),
goal AS (
  INSERT INTO goals (firm_id, name, description, target_amount, progress, timeframe,
                     complete_goal_by, priority, show_on_circles)
  SELECT firm_id, 'Reduced Mileage', 'Reduce the amount of gas spent yearly.', 5000, 68,
         'Within the year.', '2027-04-28', 4, false
  FROM ok
  RETURNING firm_id, id, uuid, created_at, updated_at
),
owned AS (
  INSERT INTO goal_accounts (firm_id, goal_id, account_id, position)
  SELECT g.firm_id, g.id, o.id, o.position FROM goal g, owners o
),
shown AS (
  INSERT INTO goal_circles (firm_id, goal_id, circle_id)
  SELECT g.firm_id, g.id, c.id FROM goal g, shown_in c
)
SELECT uuid, created_at, updated_at FROM goal;
