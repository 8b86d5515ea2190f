{{/* Names, labels and shared environment of the Nebula chart. */}}

{{- define "nebula.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "nebula.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "nebula.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "nebula.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "nebula.secretName" -}}
{{- if .Values.nodeToken.existingSecret -}}
{{ .Values.nodeToken.existingSecret }}
{{- else -}}
{{ include "nebula.fullname" . }}
{{- end -}}
{{- end -}}

{{- define "nebula.etcdEndpoints" -}}
{{- if .Values.etcd.enabled -}}
http://{{ include "nebula.fullname" . }}-etcd:2379
{{- else -}}
{{ join "," .Values.externalEtcd.endpoints }}
{{- end -}}
{{- end -}}

{{/* Prometheus discovery annotations for a pod serving /metrics on the given port. */}}
{{- define "nebula.metricsAnnotations" -}}
{{- if .root.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- end -}}
