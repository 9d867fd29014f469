import { leaderHome, STEPS, unitHome, type Place } from '../../services/home.js';
import { compositeGlances } from '../../services/composite-glance.js';
import type { RouteSpec } from '../route.js';
import { urlOf } from '../url.js';

/** The home page (首页) of each role: what stands where, and what to do next. */

function hrefOf(place: Place): string | null {
  switch (place.to) {
    case 'entry': return urlOf(['entry'], { period: place.period, track: place.track });
    case 'runs': return '/runs';
    case 'run': return urlOf(['runs', place.runId]);
    case 'appeals': return '/appeals';
    case 'none': return null;
  }
}

export const homeRoutes: RouteSpec[] = [
  {
    method: 'get', path: '/', access: ['admin', 'leader', 'village', 'staff'],
    handle: async (_req, _res, ctx) => {
      const user = ctx.user!;
      if (user.role === 'admin' || user.role === 'leader') {
        const home = await leaderHome(ctx.db, user);
        return ctx.render('home-leader', {
          title: '首页', ...home, composites: await compositeGlances(ctx.db),
          periods: home.periods.map((p) => ({ ...p, tracks: p.tracks.map((t) => ({
            ...t, next: { ...t.next, href: hrefOf(t.next.place) },
            reportingHref: t.reporting ? urlOf(['collection'], { period: p.period, assessment: t.track }) : undefined,
            steps: STEPS.map((title, k) => ({ title, done: k < t.next.step, now: k === t.next.step })),
          })) })),
        });
      }
      const home = await unitHome(ctx.db, user);
      if (!home) return ctx.render('home-unit', { title: '首页', unbound: true });
      const base = home.track === 'staff' ? 'staff' : 'units';
      ctx.render('home-unit', {
        title: '首页', ...home, isStaff: home.track === 'staff', base,
      });
    },
  },
];
