{{/* Full name of the release's objects. */}}
{{- define "ldb.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ldb.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ldb.labels" -}}
{{ include "ldb.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "ldb.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ldb.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create=false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
What the operator does to the objects of the namespaces it watches. Every rule here is checked by
RbacDerivedFromCodeIT against the requests the operator made in the test suite: nothing missing, nothing extra.
*/}}
{{- define "ldb.watchedNamespaceRules" -}}
- apiGroups: ["learningdb.io"]
  resources: ["learningdatabases"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["learningdb.io"]
  resources: ["learningdatabases/status"]
  verbs: ["update"]
- apiGroups: ["learningdb.io"]
  resources: ["learningdatabases/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "patch"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["list", "watch", "create", "update"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "patch", "delete"]
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["list", "watch", "create", "update", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["list", "watch", "create", "update", "delete"]
- apiGroups: ["batch"]
  resources: ["cronjobs"]
  verbs: ["list", "watch", "create", "update", "delete"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["list", "watch", "create"]
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["list", "watch", "create", "update", "delete"]
{{- end -}}

{{/* operatorPodLabels as a label selector string: a=b,c=d */}}
{{- define "ldb.podLabelSelector" -}}
{{- $pairs := list -}}
{{- range $k, $v := .Values.networkPolicy.operatorPodLabels -}}
{{- $pairs = append $pairs (printf "%s=%s" $k $v) -}}
{{- end -}}
{{- join "," $pairs -}}
{{- end -}}

{{/* The image catalogue as the operator reads it: 14=image,15=image,... (major versions in order). */}}
{{- define "ldb.postgresImages" -}}
{{- $entries := list -}}
{{- range $major, $image := .Values.postgres.images -}}
{{- $entries = append $entries (printf "%s=%s" $major $image) -}}
{{- end -}}
{{- join "," $entries -}}
{{- end -}}
