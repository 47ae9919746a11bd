-- S2 ceiling: POST /api/v1/task (seed body: a plan, a parent task, 2 assignees, 2 groups,
-- custom field favourite_pet = Dog) as ONE statement, plus the lock that keeps positions
-- unique. Checks: the token, its user's live login on the acting account, the account
-- (an employee who may write) and its firm; the plan, the status (not archived), the
-- parent task, both assignees, both groups and the custom field (a task field of the
-- firm whose options hold the value; no other required task field) all in the firm.
-- Inserts: the task at max + 1 of its status column, its assignees, groups and value.
-- The position is read after the column's lock is granted, so it needs a statement of
-- its own before (in READ COMMITTED one statement cannot see rows committed after it
-- began). Both go in one pipeline: one round trip, one transaction.
-- Variables: -D digest, -D acting (owner of the large firm), -D plans, -D tasks,
-- -D staff (employees: assignees), -D groups (its counts); bulk UUIDs are md5('<kind>:0:<k>').
\set plan random(0, :plans - 1)
\set status random(1, 4)
\set parent random(0, :tasks - 1)
\set m1 random(0, :staff / 2 - 1)
\set m2 random(:staff / 2, :staff - 1)
\set g1 random(0, :groups / 2 - 1)
\set g2 random(:groups / 2, :groups - 1)
\startpipeline
BEGIN;
SELECT pg_advisory_xact_lock(hashtextextended('status:0:' || CAST(:status AS int), 0));
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
taskable AS (
  SELECT p.id FROM auth JOIN plans p ON p.firm_id = auth.firm_id
  WHERE p.uuid = md5('plan:0:' || CAST(:plan AS int))::uuid
),
status AS (
  SELECT s.id, s.is_type_completed FROM auth JOIN task_statuses s ON s.firm_id = auth.firm_id
  WHERE s.uuid = md5('status:0:' || CAST(:status AS int))::uuid AND NOT s.is_archived
),
parent AS (
  SELECT t.id FROM auth JOIN tasks t ON t.firm_id = auth.firm_id
  WHERE t.uuid = md5('task:0:' || CAST(:parent AS int))::uuid
),
assignees AS (
  SELECT a.id FROM auth JOIN accounts a ON a.firm_id = auth.firm_id
  WHERE a.uuid IN (md5('member:0:' || CAST(:m1 AS int))::uuid,
                   md5('member:0:' || CAST(:m2 AS int))::uuid)
),
chosen_groups AS (
  SELECT g.id FROM auth JOIN groups g ON g.firm_id = auth.firm_id
  WHERE g.uuid IN (md5('group:0:' || CAST(:g1 AS int))::uuid,
                   md5('group:0:' || CAST(:g2 AS int))::uuid)
),
field AS (
  SELECT cf.id FROM auth JOIN custom_fields cf ON cf.firm_id = auth.firm_id
  WHERE cf.model_type = 'task' AND cf.reference = 'favourite_pet'
    AND cf.type = 'selection' AND cf.selection_options ? 'Dog'
),
ok AS (
  SELECT auth.firm_id, auth.account_id, taskable.id AS plan_id, status.id AS status_id,
         status.is_type_completed AS done, parent.id AS parent_id,
         CAST('2020-01-01 00:00:00' AS timestamp) AT TIME ZONE auth.timezone AS due_at
  FROM auth, taskable, status, parent
  WHERE (SELECT count(*) FROM assignees) = 2 AND (SELECT count(*) FROM chosen_groups) = 2
    AND EXISTS (SELECT 1 FROM field)
    AND NOT EXISTS (SELECT 1 FROM custom_fields r
                    WHERE r.firm_id = auth.firm_id AND r.model_type = 'task'
                      AND r.is_required AND r.reference <> 'favourite_pet')
),
task AS (
  INSERT INTO tasks (firm_id, name, description, priority, due_at, taskable_type, plan_id,
                     status_id, parent_id, author_id, position, completed_at, completed_by_id)
  SELECT ok.firm_id, 'Check details', 'Check details', 1, ok.due_at, 'plan', ok.plan_id,
         ok.status_id, ok.parent_id, ok.account_id,
         (SELECT coalesce(max(t.position), 0) + 1 FROM tasks t
          WHERE t.firm_id = ok.firm_id AND t.status_id = ok.status_id),
         CASE WHEN ok.done THEN now() END, CASE WHEN ok.done THEN ok.account_id END
  FROM ok
  RETURNING firm_id, id, uuid, created_at, status_id, due_at, parent_id
),
assigned AS (
  INSERT INTO task_assignees (firm_id, task_id, account_id, status_id, due_at, top_level)
  SELECT t.firm_id, t.id, a.id, t.status_id, t.due_at, t.parent_id IS NULL
  FROM task t, assignees a
),
grouped AS (
  INSERT INTO task_groups (firm_id, task_id, group_id, top_level)
  SELECT t.firm_id, t.id, g.id, t.parent_id IS NULL FROM task t, chosen_groups g
),
valued AS (
  INSERT INTO task_custom_values (firm_id, task_id, custom_field_id, value)
  SELECT t.firm_id, t.id, f.id, '"Dog"' FROM task t, field f
)
SELECT uuid, created_at FROM task;
COMMIT;
\endpipeline
