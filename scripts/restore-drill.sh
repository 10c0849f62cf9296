#!/usr/bin/env bash
# Restore drill on the running scale tier: back up while it serves, change data, uploaded files
# and the index, stop it, restore, and let `restore` prove that every table, file and the index
# equal the backup. Leaves the tier stopped. Usage: scripts/restore-drill.sh [BACKUP_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d)/kc-backup}"
tier=scripts/scale-tier.sh

echo "== backup (tier running) =="
time bash $tier manage backup --out "$out"
du -sh "$out"

echo "== changes after the backup =="
bash $tier manage shell -c "
from pathlib import Path
from django.conf import settings
from resources.models import Achievement, Demand
from bridging.services import index
gone = Achievement.objects.filter(status='published').order_by('pk').first()
print('deleted achievement', gone.pk, gone.title)
gone.delete()
Demand.objects.filter(pk=Demand.objects.order_by('pk').first().pk).update(title='演练中被改掉的标题')
index.update([('resources.achievement', gone.pk)])
Path(settings.MEDIA_ROOT, 'restore-drill.txt').write_text('added after the backup')
print('index generation now', index.engine().generation)
"

echo "== restore (tier stopped) =="
bash $tier stop
time bash $tier manage restore "$out" --no-input
bash $tier manage shell -c "
from resources.models import Demand
print('first demand title:', Demand.objects.order_by('pk').first().title)
"
