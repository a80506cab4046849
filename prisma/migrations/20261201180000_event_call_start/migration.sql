-- Calls, not only events (issue #13): an identify of an image with three faces writes three
-- events, so unknownRate's NO_FACE over calls and tenantUsage's identify calls need to know which
-- event opens its call. true for the first event a call writes (NO_FACE events are alone in their
-- call), false for its other faces and tracks. Events written before this column count as one call
-- each: that history did not record which events shared a call. A constant default adds the column
-- without rewriting the table.
ALTER TABLE "RecognitionEvent" ADD COLUMN "callStart" BOOLEAN NOT NULL DEFAULT true;
