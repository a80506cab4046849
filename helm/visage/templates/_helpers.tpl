{{/*
Names and labels shared by every template. Names are cut at 63 characters because Kubernetes
label values and DNS-1123 names allow no more.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "visage.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The prefix of every resource name: fullnameOverride, else <release>-<name>, but just <release>
when the release name already contains the chart name (avoids "visage-visage").
*/}}
{{- define "visage.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* "visage-0.1.0": the helm.sh/chart label value ("+" is not allowed in labels). */}}
{{- define "visage.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that identify the pods; they must never change across upgrades (Deployment selectors are immutable). */}}
{{- define "visage.selectorLabels" -}}
app.kubernetes.io/name: {{ include "visage.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels on every resource. The version label is the image tag made label-safe (a tag may carry "@sha256:..."). */}}
{{- define "visage.labels" -}}
helm.sh/chart: {{ include "visage.chart" . }}
{{ include "visage.selectorLabels" . }}
app.kubernetes.io/version: {{ include "visage.imageTag" . | replace "@" "_" | replace ":" "_" | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: visage
{{- end }}

{{/* The image tag: image.tag, else the chart's appVersion. */}}
{{- define "visage.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/* The full image reference. */}}
{{- define "visage.image" -}}
{{- printf "%s:%s" .Values.image.repository (include "visage.imageTag" .) }}
{{- end }}

{{/* The ServiceAccount the pods use. */}}
{{- define "visage.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "visage.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding DATABASE_URL and VISAGE_ADMIN_TOKEN: the user's, or the one this chart creates. */}}
{{- define "visage.secretName" -}}
{{- default (include "visage.fullname" .) .Values.secret.existingSecret }}
{{- end }}

{{/* The PVC of the embedded database. */}}
{{- define "visage.dataClaimName" -}}
{{- default (printf "%s-data" (include "visage.fullname" .)) .Values.embedded.persistence.existingClaim }}
{{- end }}

{{/* How many replicas the chart asks for at least: minReplicas under the HPA, else replicaCount. */}}
{{- define "visage.minReplicas" -}}
{{- if .Values.autoscaling.enabled }}
{{- .Values.autoscaling.minReplicas }}
{{- else }}
{{- .Values.replicaCount }}
{{- end }}
{{- end }}

{{/*
Refuses combinations helm's schema check cannot catch (or that --skip-schema-validation let
through), because each one deploys something that looks healthy and then loses data or requests.
Included from deployment.yaml so it runs once per render.
*/}}
{{- define "visage.validate" -}}
{{- if .Values.embedded.enabled }}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}
{{- fail "embedded.enabled runs PGlite inside one pod: set replicaCount=1 and autoscaling.enabled=false, or use an external PostgreSQL (secret.databaseUrl / secret.existingSecret)" }}
{{- end }}
{{- else if and (not .Values.secret.existingSecret) (not .Values.secret.databaseUrl) }}
{{- fail "set secret.databaseUrl or secret.existingSecret (a PostgreSQL URL with pgvector), or embedded.enabled=true for a single-pod trial" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas must not exceed autoscaling.maxReplicas" }}
{{- end }}
{{- $needed := add (int .Values.lifecycle.preStopSleepSeconds) (div (int .Values.config.shutdownGraceMs) 1000) }}
{{- if le (int .Values.terminationGracePeriodSeconds) (int $needed) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must exceed lifecycle.preStopSleepSeconds + config.shutdownGraceMs/1000 (%d), or in-flight requests are killed" (int .Values.terminationGracePeriodSeconds) (int $needed)) }}
{{- end }}
{{- end }}
